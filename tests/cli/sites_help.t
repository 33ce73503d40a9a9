# emscov sites --help lists the options
$ emscov sites --help
~ usage: emscov sites [OPTIONS] SCENARIO.ini
~   --target-share X
~   --job-min M
