# emscov report --help names every option
$ emscov report --help
> usage: emscov report --run DIR --out FILE [OPTIONS]
~   --sites PATH
~   --lang zh|en
~   --format F         pdf or html (default: from --out's extension)
