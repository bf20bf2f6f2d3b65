using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The link map in GNU ld's <c>-Map</c> shape (ld/ldlang.c <c>lang_map</c> and the print_* functions):
/// "Discarded input sections", "Memory Configuration", then "Linker script and memory map" as a walk over the
/// statement list: output sections with address and size, each input section description as the script wrote it,
/// input sections with address, size and file, the global symbols they define, padding (<c>*fill*</c>),
/// assignments with their values, <c>LOAD</c> lines and the <c>OUTPUT</c> line.
/// </summary>
internal static class MapWriter
{
    private const int NameWidth = 16;

    public static void Write(TextWriter w, LinkResult link)
    {
        var digits = link.Identity.Is64 ? 16 : 8;
        var printer = new Printer(w, link, digits);
        printer.Run();
    }

    private sealed class Printer(TextWriter w, LinkResult link, int digits)
    {
        private ulong _printDot;
        private readonly Dictionary<InputSection, List<LinkSymbol>> _symbolsBySection = BuildSymbolIndex(link);

        private string Vma(ulong v) => digits == 16 ? v.ToString("x16") : ((uint)v).ToString("x8");

        private static string W(ulong v) => $"0x{v:x}".PadLeft(10);

        private static Dictionary<InputSection, List<LinkSymbol>> BuildSymbolIndex(LinkResult link)
        {
            var map = new Dictionary<InputSection, List<LinkSymbol>>();
            foreach (var h in link.GlobalSymbols)
            {
                if (h.IsDefined && !h.ScriptDefined && h.Section is { } s)
                {
                    if (!map.TryGetValue(s, out var list))
                    {
                        list = [];
                        map[s] = list;
                    }

                    list.Add(h);
                }
            }

            return map;
        }

        public void Run()
        {
            if (link.Properties is { } props)
            {
                // bfd/elf-properties.c _bfd_elf_link_setup_gnu_properties prints this during after_open.
                w.Write("\nMerging program properties\n\n");
                foreach (var line in props.Log)
                {
                    w.Write(line + "\n");
                }
            }

            var discarded = link.MapDiscarded.ToList();
            if (discarded.Count > 0)
            {
                w.Write("\nDiscarded input sections\n\n");
                foreach (var s in discarded)
                {
                    InputSectionLine(s, discarded: true);
                }
            }

            w.Write("\nMemory Configuration\n\n");
            w.Write($"{"Name",-16} {"Origin",-18} {"Length",-18} Attributes\n");
            var length = digits == 16 ? "ffffffffffffffff" : "ffffffff";
            w.Write($"{"*default*",-16} 0x{Vma(0),-16} 0x{length}\n");
            w.Write("\nLinker script and memory map\n\n");
            foreach (var n in link.Statements)
            {
                Statement(n, null);
            }
        }

        private void Statement(LayoutNode n, OutputStatement? os)
        {
            switch (n)
            {
                case OutputStatement o when o.IsAbs:
                    break;
                case OutputStatement o:
                    OutputStatementLines(o);
                    break;
                case WildNode wild:
                    w.Write(' ');
                    w.Write(wild.Source.Print());
                    w.Write('\n');
                    foreach (var c in wild.Children)
                    {
                        Statement(c, os);
                    }

                    break;
                case InputSectionNode i:
                    InputSectionLine(i.Section, discarded: false);
                    break;
                case PaddingNode p:
                    var addr = p.Section.Address + p.OutputOffset;
                    w.Write(" *fill*");
                    w.Write(new string(' ', NameWidth - 7));
                    w.Write($"0x{Vma(addr)} {W(p.Size)} \n");
                    _printDot = addr + p.Size;
                    break;
                case AssignmentNode a:
                    AssignmentLine(a);
                    break;
                case AssertNode s:
                    w.Write(new string(' ', NameWidth));
                    w.Write($"{"0x" + Vma(s.FinalValue),-34}");
                    w.Write($"ASSERT ({s.Source.Condition.Print()}, {s.Source.Message})\n");
                    break;
                case DataNode d:
                    DataLine(d, os);
                    break;
                case InputFileNode f:
                    w.Write($"LOAD {f.File.Path}\n");
                    break;
                case OutputFileNode:
                    w.Write($"OUTPUT({link.Options.OutputName} {FormatName(link.Identity)})\n");
                    if (Arch.LdEmulation.AddsLinkerStubsFile(link.Identity.Machine))
                    {
                        w.Write("LOAD linker stubs\n");
                    }

                    break;
            }
        }

        private void OutputStatementLines(OutputStatement o)
        {
            w.Write('\n');
            w.Write(o.Name);
            if (o.Section is { } s)
            {
                _printDot = s.Address;
                var len = o.Name.Length;
                if (len >= NameWidth - 1)
                {
                    w.Write('\n');
                    len = 0;
                }

                w.Write(new string(' ', NameWidth - len));
                w.Write($"0x{Vma(s.Address)} {W(s.Size)}");
            }

            w.Write('\n');
            foreach (var c in o.Children)
            {
                Statement(c, o);
            }
        }

        private void InputSectionLine(InputSection i, bool discarded)
        {
            w.Write(' ');
            w.Write(i.Name);
            var len = 1 + i.Name.Length;
            if (len >= NameWidth - 1)
            {
                w.Write('\n');
                len = 0;
            }

            w.Write(new string(' ', NameWidth - len));
            ulong addr;
            var size = i.Size;
            if (i.Output is { } o)
            {
                addr = o.Address + i.OutputOffset;
            }
            else
            {
                addr = _printDot;
                if (!discarded)
                {
                    size = 0;
                }
            }

            w.Write($"0x{Vma(addr)} {W(size)} {i.File.Path}\n");
            if (i.RawSize != 0 && size != i.RawSize)
            {
                // ld/ldlang.c print_input_section: under the address column, the size a backend changed.
                w.Write(new string(' ', NameWidth + 2 + Vma(addr).Length + 1));
                w.Write($"{W(i.RawSize)} (size before relaxing)\n");
            }

            if (i.Output is null)
            {
                return;
            }

            if (_symbolsBySection.TryGetValue(i, out var syms))
            {
                // ld sorts with qsort by value; glibc's qsort is a stable merge sort here.
                foreach (var h in syms.OrderBy(h => MapValue(h)))
                {
                    w.Write(new string(' ', NameWidth));
                    w.Write($"0x{Vma(i.SymbolValue(MapValue(h)) + i.OutputOffset + i.Output.Address)}   ");
                    // ld/ldlang.c print_one_symbol prints the name with %pT: demangled unless --no-demangle.
                    w.Write($"             {ItaniumDemangler.MapName(h.Name, link.Options.Demangle)}\n");
                }
            }

            if (addr + size > _printDot)
            {
                _printDot = addr + size;
            }
        }

        /// <summary>The value ld holds for a symbol: ARM's elf32_arm_swap_symbol_in keeps a Thumb function's address
        /// without its low bit (the branch type says Thumb), so the map prints it even.</summary>
        private ulong MapValue(LinkSymbol h) =>
            link.Identity.Machine == ElfMachine.Arm && h.Type is ElfConstants.SttFunc or ElfConstants.SttGnuIfunc ? h.Value & ~1UL : h.Value;

        private void AssignmentLine(AssignmentNode a)
        {
            w.Write(new string(' ', NameWidth));
            var src = a.Source;
            string value;
            var provided = !src.Provide || (link.GlobalSymbols.FirstOrDefault(h => h.AssignedBy == src) is not null);
            if (!provided)
            {
                value = "[!provide]";
            }
            else if (!a.FinalValid)
            {
                value = "*undef*";
            }
            else if (src.IsDot)
            {
                value = "0x" + Vma(a.FinalDot);
                _printDot = a.FinalDot;
            }
            else
            {
                var h = link.GlobalSymbols.FirstOrDefault(x => x.Name == src.Target);
                var address = h?.Address ?? 0;
                value = a.SelfReference
                    ? (h is { IsDefined: true } ? $"[0x{Vma(address)}]" : "[unresolved]")
                    : "0x" + Vma(address);
            }

            w.Write($"{value,-34}");
            w.Write(src.Print());
            w.Write('\n');
        }

        private void DataLine(DataNode d, OutputStatement? os)
        {
            w.Write(new string(' ', NameWidth));
            var addr = d.OutputOffset + (os?.Section?.Address ?? 0);
            w.Write($"0x{Vma(addr)} {W((ulong)d.Source.Size)} {d.Source.Keyword} 0x{d.Value:x}");
            if (d.Source.Value is not ScriptExpression.Number)
            {
                w.Write(' ');
                w.Write(d.Source.Value.Print());
            }

            w.Write('\n');
            _printDot = addr + (ulong)d.Source.Size;
        }
    }

    /// <summary>The BFD target name ld prints in the map's OUTPUT line.</summary>
    internal static string FormatName(ElfIdentity id) => (id.Machine, id.Is64, id.IsBigEndian) switch
    {
        (ElfMachine.X86_64, true, _) => "elf64-x86-64",
        (ElfMachine.X86_64, false, _) => "elf32-x86-64",
        (ElfMachine.I386, _, _) => "elf32-i386",
        (ElfMachine.AArch64, _, false) => "elf64-littleaarch64",
        (ElfMachine.AArch64, _, true) => "elf64-bigaarch64",
        (ElfMachine.Arm, _, false) => "elf32-littlearm",
        (ElfMachine.Arm, _, true) => "elf32-bigarm",
        (ElfMachine.Ppc64, _, false) => "elf64-powerpcle",
        (ElfMachine.Ppc64, _, true) => "elf64-powerpc",
        (ElfMachine.Ppc, _, _) => "elf32-powerpc",
        (ElfMachine.S390, true, _) => "elf64-s390",
        (ElfMachine.S390, false, _) => "elf32-s390",
        (ElfMachine.Mips, true, false) => "elf64-tradlittlemips",
        (ElfMachine.Mips, true, true) => "elf64-tradbigmips",
        (ElfMachine.Mips, false, false) => "elf32-tradlittlemips",
        (ElfMachine.Mips, false, true) => "elf32-tradbigmips",
        (ElfMachine.RiscV, true, _) => "elf64-littleriscv",
        (ElfMachine.RiscV, false, _) => "elf32-littleriscv",
        _ => $"elf{(id.Is64 ? 64 : 32)}-{(id.IsBigEndian ? "big" : "little")}",
    };
}
