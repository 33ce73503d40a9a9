# emscov compare --help lists the options
$ emscov compare --help
~ usage: emscov compare [OPTIONS] A B
~   --db CONNINFO
~   --json
