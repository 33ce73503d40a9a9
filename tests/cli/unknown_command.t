$ emscov frobnicate
? 2
! unknown command "frobnicate"
