# import --help: the one-transaction guarantee and what to do about an existing table
$ emscov import --help
> All files are loaded in ONE TRANSACTION: either every table lands or none does (an error in the last
~   --append          add rows to an existing table
~   --replace         replace an existing table
~   --encoding ENC
