$ emscov info
? 2
! info: no PATH given
