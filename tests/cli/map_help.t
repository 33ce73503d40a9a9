# emscov map --help lists the kinds and options
$ emscov map --help
~ --kind KIND
~ --each FIELD
~ --page P
