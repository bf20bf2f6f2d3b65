#source: feat-a.s
#source: feat-b.s
#ld: -r -m elf_x86_64 -T assign.lds
#readelf: -s -W
#map: assign.map
# Symbols assigned inside an output section are relative to it; "top" (a plain number outside sections) and
# y_abs (ABSOLUTE) are absolute; after_data (". " outside a section) belongs to the previous section, .data.
# PROVIDE defines only referenced, undefined symbols (none here: fb is defined by feat-b.o); HIDDEN makes a
# local symbol. Data statements take space; ". += 8" pads.
#...
 +[0-9]+: 0+18 +0 NOTYPE +LOCAL +DEFAULT +13 __hidden_too
 +[0-9]+: 0+1 +0 NOTYPE +GLOBAL +DEFAULT +1 fb
 +[0-9]+: 0+100 +0 NOTYPE +GLOBAL +DEFAULT +ABS y_abs
 +[0-9]+: 0+40 +0 NOTYPE +GLOBAL +DEFAULT +ABS top
 +[0-9]+: 0+10 +0 NOTYPE +GLOBAL +DEFAULT +13 __data_aligned
 +[0-9]+: 0+24 +0 NOTYPE +GLOBAL +DEFAULT +13 after_data
 +[0-9]+: 0+8 +0 NOTYPE +GLOBAL +DEFAULT +23 x_size
 +[0-9]+: 0+ +0 NOTYPE +GLOBAL +DEFAULT +13 __data_start
 +[0-9]+: 0+ +0 NOTYPE +GLOBAL +DEFAULT +1 fa
