# emscov report --help names every option
$ emscov report --help
> usage: emscov report --run DIR --out FILE [OPTIONS]
~   --sites PATH
~   --lang zh|en
~   --format F         pdf or html (default: from --out's extension: .pdf, .html or .htm; another extension,
~   --json             print what was written as JSON
~   --quiet            print nothing on stdout
