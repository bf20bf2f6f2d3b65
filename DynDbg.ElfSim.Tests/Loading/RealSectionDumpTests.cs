using System.Globalization;
using System.Text.Json;
using DynDbg.ElfSim.Tests.Cli;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Loading;

/// <summary>
/// Issue 13: <c>load --sections --dump SECTION</c> on Debian's amd64 bnep.ko at the bases a kernel would give it.
/// Against GNU readelf: a section without relocations comes out as readelf -x shows it in the file, and every
/// pointer of <c>__dyndbg</c> is the loaded address of the section its relocation names plus the addend.
/// </summary>
[TestFixture]
[Category("Real")]
public class RealSectionDumpTests
{
    private const ulong Core = 0xffffffffc0a00000;
    private const ulong Init = 0xffffffffc0b00000;

    private static string Bnep() => RealInputs.Arch("amd64").ModuleFiles().First(p => Path.GetFileName(p) == "bnep.ko");

    private static JsonElement Load(string ko, params string[] dumps)
    {
        var args = new List<string> { "load", "--sections", "--format", "json", "--base", $"0x{Core:x}", "--init-base", $"0x{Init:x}" };
        foreach (var d in dumps)
        {
            args.AddRange(["--dump", d]);
        }

        args.Add(ko);
        var (code, output, err) = CliRunner.Run([.. args]);
        code.Should().Be(0, err);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    [Test]
    public void Dump_OfAStringSection_IsTheFilesBytes_AndDyndbgPointers_AreSectionAddressPlusAddend()
    {
        var ko = Bnep();
        var doc = Load(ko, "__dyndbg", ".rodata.str1.1");
        var address = doc.GetProperty("sections").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("address").GetUInt64());
        var dumps = doc.GetProperty("dumps").EnumerateArray().ToDictionary(d => d.GetProperty("section").GetString()!, d => Convert.FromHexString(d.GetProperty("bytes").GetString()!));

        // readelf -x: "  0x00000000 6e6f7420 ... ascii"
        var fileBytes = ReadelfOracle.Run(ko, "-x", ".rodata.str1.1").Split('\n')
            .Where(l => l.StartsWith("  0x", StringComparison.Ordinal))
            .SelectMany(l => Convert.FromHexString(string.Concat(l[13..48].Split(' ', StringSplitOptions.RemoveEmptyEntries))))
            .ToArray();
        dumps[".rodata.str1.1"].Should().Equal(fileBytes);

        var dyndbg = dumps["__dyndbg"];
        var checkedPointers = 0;
        var inRela = false;
        foreach (var line in ReadelfOracle.Run(ko, "-rW").Split('\n'))
        {
            if (line.StartsWith("Relocation section", StringComparison.Ordinal))
            {
                inRela = line.Contains("'.rela__dyndbg'", StringComparison.Ordinal);
                continue;
            }

            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!inRela || f.Length < 7 || f[2] != "R_X86_64_64" || !f[4].StartsWith('.'))
            {
                continue;
            }

            var offset = int.Parse(f[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var addend = long.Parse(f[6], NumberStyles.HexNumber, CultureInfo.InvariantCulture) * (f[5] == "-" ? -1 : 1);
            var expected = unchecked(address[f[4]] + (ulong)addend);
            BitConverter.ToUInt64(dyndbg, offset).Should().Be(expected, $"__dyndbg+0x{offset:x} -> {f[4]}{f[5]}{f[6]}");
            checkedPointers++;
        }

        TestContext.Out.WriteLine($"bnep.ko: {checkedPointers} __dyndbg pointers checked against readelf -r");
        checkedPointers.Should().BeGreaterThan(40);
    }
}
