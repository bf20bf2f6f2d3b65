#source: feat-a.s
#source: feat-b.s
#ld: -r -m elf_x86_64 -T discard-ref.lds
#error: error LNK013: .*`fa' referenced in section `\.init_array\.00300' of feat-a\.o: defined in discarded section `\.text' of feat-a\.o
#lderror: `fa' referenced in section `\.init_array\.00300' of feat-a\.o: defined in discarded section `\.text' of feat-a\.o
