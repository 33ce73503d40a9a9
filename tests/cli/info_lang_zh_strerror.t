# a system error under --lang zh in the C locale: glibc's own Chinese text in UTF-8 where its translations are
# installed, else its English text; never one '?' per character (glibc's text converted to ASCII, as before)
$ LC_ALL=C LANG=C emscov info --lang zh $TMP/none.shp 2>&1; echo "rc $?"
~ none.shp: 
~ rc 2
- ??
