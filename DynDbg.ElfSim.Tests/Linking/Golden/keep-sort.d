#source: feat-a.s
#source: feat-b.s
#ld: -r -m elf_x86_64 -T keep-sort.lds
#map: keep-sort.map
# SORT (= SORT_BY_NAME) orders by name, keeping input order between equal names (.sort.a of a, then of b);
# SORT_BY_ALIGNMENT puts the 16-aligned ones first; SORT_BY_INIT_PRIORITY orders .init_array.NNNNN by number.
