using System.Text;

namespace DynDbg.ElfSim.Tests.Linking;

/// <summary>
/// Seeded random linker scripts over the section names the inputs have: output sections with and without an
/// address (0, a constant, an expression), ALIGN, (NOLOAD), KEEP, every SORT form, several patterns in one
/// description, file patterns and EXCLUDE_FILE at both levels, /DISCARD/, assignments to "." and to symbols
/// (PROVIDE, PROVIDE_HIDDEN, HIDDEN, op=), data statements, top-level assignments between sections, ADDR/SIZEOF/
/// DEFINED in addresses, files sorted by name, and ASSERTs that may fail.
/// </summary>
public static class SyntheticScripts
{
    private static readonly string[] Wildcards =
    [
        ".text*", ".text.*", "__dyndbg*", ".rodata.str1.[18]", ".rodata*", ".data*", ".gnu.linkonce.*", "*", "___ksymtab+*",
        ".init_array.*", ".ctors.*", ".note.*", ".bss*", ".t?ata", "__*", ".debug_*", ".custom.?",
    ];

    public static string Write(int seed, IReadOnlyList<string> sectionNames, IReadOnlyList<string> files)
    {
        var rnd = new Random(seed * 7919 + 17);
        // Constant subexpressions draw on a stream of their own, so the rest of each seed's script is as before.
        var crnd = new Random(seed * 104729 + 3);
        var sb = new StringBuilder();
        if (rnd.Next(8) == 0)
        {
            sb.Append($"top_{seed} = 0x{rnd.Next(0, 256):x};\n");
        }

        if (crnd.Next(6) == 0)
        {
            sb.Append($"cst_{seed} = {ConstantExpression(crnd, 3, mixed: crnd.Next(2) == 0)};\n");
        }

        if (crnd.Next(80) == 0)
        {
            // A zero divisor in a branch never taken: ld's "/ by zero" while parsing.
            sb.Append("never = 0 ? 1 / 0 : 2;\n");
        }

        sb.Append("SECTIONS\n{\n");
        if (rnd.Next(3) == 0)
        {
            sb.Append("  /DISCARD/ : { *(.discard) *(.discard.*) }\n");
        }

        if (GroupDiscard(seed, sectionNames, files) is { } partial)
        {
            sb.Append(partial);
        }

        var count = rnd.Next(1, 9);
        string? previous = null;
        for (var k = 0; k < count; k++)
        {
            if (rnd.Next(10) == 0)
            {
                sb.Append(rnd.Next(2) == 0 ? $"  tsym{k} = .;\n" : $"  . = ALIGN(0x{1 << rnd.Next(2, 9):x});\n");
            }

            var name = rnd.Next(3) switch
            {
                0 when sectionNames.Count > 0 => sectionNames[rnd.Next(sectionNames.Count)],
                1 => new[] { ".text", ".data", "__dyndbg", "__dyndbg_sites", ".rodata", ".bss", ".init_array", ".ctors" }[rnd.Next(8)],
                _ => $".out{k}",
            };
            var address = rnd.Next(12) switch
            {
                < 4 => "",
                < 7 => " 0",
                7 => $" 0x{rnd.Next(1, 64) * 16:x}",
                8 => " ALIGN(0x40)",
                9 when previous is not null => $" ADDR({previous}) + SIZEOF({previous})",
                10 => " DEFINED(tsym0) ? 0x100 : 0x200",
                _ => " . + 0x10",
            };
            if (address.Length == 0 && crnd.Next(8) == 0)
            {
                address = $" (({ConstantExpression(crnd, 2, mixed: false)}) & 0x7f0)";
            }

            var type = name.StartsWith(".bss", StringComparison.Ordinal) && rnd.Next(2) == 0 ? " (NOLOAD)" : "";
            var align = rnd.Next(5) == 0 ? $" ALIGN({1 << rnd.Next(0, 7)})" : "";
            sb.Append($"  {name}{address}{type} :{align}\n  {{\n");
            for (var i = rnd.Next(1, 4); i > 0; i--)
            {
                switch (rnd.Next(12))
                {
                    case 0:
                        sb.Append(rnd.Next(4) switch
                        {
                            0 => "    . = ALIGN(8);\n",
                            1 => $"    __start_o{k} = .;\n",
                            2 => $"    PROVIDE(g{rnd.Next(12)} = .);\n",
                            _ => "    . += 0x10;\n",
                        });
                        break;
                    case 1:
                        sb.Append(rnd.Next(4) switch
                        {
                            0 => $"    PROVIDE_HIDDEN(hid{k} = . + 4);\n",
                            1 => $"    HIDDEN(hh{k} = .);\n",
                            2 => $"    ext{rnd.Next(5)} = ABSOLUTE(.);\n",
                            _ => $"    s{k} = SIZEOF({name});\n",
                        });
                        break;
                    case 2:
                        sb.Append(rnd.Next(3) switch
                        {
                            0 => $"    BYTE(0x{rnd.Next(256):x})\n",
                            1 => $"    LONG(0x{rnd.Next():x})\n",
                            _ => "    QUAD(0x1122334455667788)\n",
                        });
                        break;
                    default:
                        sb.Append("    ").Append(InputDescription(rnd, sectionNames, files)).Append('\n');
                        break;
                }
            }

            if (crnd.Next(4) == 0)
            {
                sb.Append(crnd.Next(5) switch
                {
                    0 => $"    cs{k} = {ConstantExpression(crnd, 3, mixed: true)};\n",
                    1 => $"    cq{k} = ({ConstantExpression(crnd, 2, mixed: false)}) ? {ConstantExpression(crnd, 1, mixed: true)} : {ConstantExpression(crnd, 1, mixed: true)};\n",
                    2 => $"    LONG({ConstantExpression(crnd, 2, mixed: crnd.Next(2) == 0)})\n",
                    3 => $"    QUAD({ConstantExpression(crnd, 3, mixed: false)})\n",
                    _ => $"    . = . + (({ConstantExpression(crnd, 2, mixed: false)}) & 0xf);\n",
                });
            }

            sb.Append("  }\n");
            if (rnd.Next(6) == 0)
            {
                sb.Append($"  after{k} = . ;\n");
            }

            if (rnd.Next(15) == 0)
            {
                sb.Append($"  ASSERT(SIZEOF({name}) < 0x{(rnd.Next(4) == 0 ? rnd.Next(1, 0x80) : 0x10000):x}, \"{name} is too big\")\n");
            }

            if (name != "/DISCARD/")
            {
                previous = name;
            }
        }

        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>
    /// An expression of numbers that ld folds while parsing (exp_binop, exp_unop, exp_trinop): every operator, signed
    /// division by a literal (never zero, never -1), shift counts past 63, MAX/MIN/LOG2CEIL, conditions. With
    /// <paramref name="mixed"/> some leaves are not folded: <c>.</c>, ALIGN, ABSOLUTE, NEXT, CONSTANT.
    /// </summary>
    private static string ConstantExpression(Random r, int depth, bool mixed)
    {
        if (depth == 0 || r.Next(4) == 0)
        {
            return mixed && r.Next(4) == 0
                ? r.Next(5) switch
                {
                    0 => ".",
                    1 => $"ALIGN({1 << r.Next(0, 5)})",
                    2 => $"ABSOLUTE({r.Next(0, 9)})",
                    3 => $"NEXT({1 << r.Next(0, 4)})",
                    _ => "CONSTANT(MAXPAGESIZE)",
                }
                : r.Next(6) switch
                {
                    0 => "0",
                    1 or 2 => r.Next(1, 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    3 => $"0x{r.Next(0x10, 0x1000):x}",
                    4 => new[] { "0xffffffffffffffff", "0x8000000000000000", "0x100000000", "0x7fffffff" }[r.Next(4)],
                    _ => $"0x{r.Next(1, 0x100):x}",
                };
        }

        var a = ConstantExpression(r, depth - 1, mixed);
        var b = ConstantExpression(r, depth - 1, mixed);
        return r.Next(12) switch
        {
            0 => $"-({a})",
            1 => r.Next(2) == 0 ? $"~{a}" : $"!{a}",
            2 => $"LOG2CEIL({a})",
            3 => r.Next(2) == 0 ? $"MAX({a}, {b})" : $"MIN({a}, {b})",
            4 => $"({a} ? {b} : {ConstantExpression(r, depth - 1, mixed)})",
            5 => $"({a} {(r.Next(2) == 0 ? "/" : "%")} {r.Next(1, 17)})",
            6 => $"({a} {(r.Next(2) == 0 ? "<<" : ">>")} {r.Next(0, 70)})",
            // No ^: ld 2.40's lexer has no token for it ("ignoring invalid character"), so it is not an operator.
            _ => $"({a} {new[] { "+", "-", "*", "&", "|", "==", "!=", "<", ">", "<=", ">=", "&&", "||" }[r.Next(13)]} {b})",
        };
    }

    /// <summary>Group member sections as <see cref="SyntheticInputs"/> names them: kind prefix, then the signature.</summary>
    private static readonly System.Text.RegularExpressions.Regex GroupMember = new(@"^\.(text|data|rodata|bss|debug_macro)\.(grp\d)$");

    /// <summary>
    /// For half of the cases whose inputs have section groups, a /DISCARD/ that takes part of them
    /// (_bfd_elf_fixup_group_sections): every .group or one file's (members stay, without SHF_GROUP), one member in
    /// every file or in one file, every member of one signature (the .group is emptied and dropped), or a .group with one member. It
    /// comes first, so no earlier statement takes those sections. From a generator of its own, so a case without
    /// groups, and every other statement of a case with them, is as it was; null when the case gets none.
    /// </summary>
    public static string? GroupDiscard(int seed, IReadOnlyList<string> sectionNames, IReadOnlyList<string> files)
    {
        var members = sectionNames.Where(n => GroupMember.IsMatch(n)).ToList();
        var rnd = new Random(unchecked(seed * 104723 + 0x2a1));
        if (members.Count == 0 || rnd.Next(2) != 0)
        {
            return null;
        }

        var member = members[rnd.Next(members.Count)];
        var signature = GroupMember.Match(member).Groups[2].Value;
        var patterns = rnd.Next(7) switch
        {
            0 => "*(.group)",
            6 when files.Count > 0 => $"{files[rnd.Next(files.Count)]}(.group)",
            1 => $"*({member})",
            2 when files.Count > 0 => $"{files[rnd.Next(files.Count)]}({member})",
            3 => $"*(.*.{signature})",
            4 => $"*({string.Join(' ', members.Where(m => m.EndsWith(signature, StringComparison.Ordinal)))})",
            _ => $"*(.group {member})",
        };
        return $"  /DISCARD/ : {{ {patterns} }}\n";
    }

    private static string InputDescription(Random rnd, IReadOnlyList<string> sectionNames, IReadOnlyList<string> files)
    {
        var patterns = new List<string>();
        for (var i = rnd.Next(1, 4); i > 0; i--)
        {
            var p = rnd.Next(2) == 0 && sectionNames.Count > 0 ? sectionNames[rnd.Next(sectionNames.Count)] : Wildcards[rnd.Next(Wildcards.Length)];
            if (rnd.Next(12) == 0 && files.Count > 0)
            {
                p = $"EXCLUDE_FILE({files[rnd.Next(files.Count)]}) {p}";
            }

            p = rnd.Next(8) switch
            {
                0 => $"SORT({p})",
                1 => $"SORT_BY_ALIGNMENT({p})",
                2 when rnd.Next(2) == 0 => $"SORT_BY_NAME(SORT_BY_ALIGNMENT({p}))",
                3 when rnd.Next(2) == 0 => $"SORT_BY_ALIGNMENT(SORT_BY_NAME({p}))",
                4 when rnd.Next(3) == 0 => $"SORT_NONE({p})",
                5 when rnd.Next(3) == 0 => $"SORT_BY_INIT_PRIORITY({p})",
                _ => p,
            };
            patterns.Add(p);
        }

        // ld.bfd 2.40 aborts when SORT(*) meets two sections of one file under an unsorted pattern: mostly sort them.
        var file = rnd.Next(10) switch
        {
            0 when files.Count > 0 => files[rnd.Next(files.Count)],
            1 => "f*.o",
            3 => "SORT(*)",
            2 when files.Count > 0 => $"EXCLUDE_FILE({files[rnd.Next(files.Count)]}) *",
            _ => "*",
        };
        if (file == "SORT(*)" && rnd.Next(4) != 0)
        {
            patterns = patterns.Select(p => p.StartsWith("SORT", StringComparison.Ordinal) ? p : $"SORT_BY_NAME({p})").ToList();
        }

        var d = $"{file}({string.Join(' ', patterns)})";
        return rnd.Next(4) == 0 ? $"KEEP({d})" : d;
    }
}
