#source: feat-a.s
#source: feat-b.s
#ld: -r -m elf_x86_64 -T patterns.lds
#map: patterns.map
# *(.a .b) takes the sections as they come, file by file (.b of feat-a is first in feat-a): pattern order does
# not sort. EXCLUDE_FILE before the file pattern or before a section pattern leaves that file's sections to
# later descriptions; a file pattern with a wildcard matches the file name as given.
