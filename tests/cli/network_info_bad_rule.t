# a rule word that is not one of the rule's words: exit 2, naming the option and the words
requires sample
$ emscov network info --access gated $SAMPLE/roads.shp
? 2
! --access: "gated" is not ends, strict or ignore
