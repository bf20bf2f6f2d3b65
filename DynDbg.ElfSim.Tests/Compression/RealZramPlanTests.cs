using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using DynDbg.ElfSim.Compression.ZramPlan;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using DynDbg.ElfSim.Tests.Cli;
using DynDbg.ElfSim.Tests.Real;

namespace DynDbg.ElfSim.Tests.Compression;

/// <summary>
/// Issue 16 on Debian's real kernels: the <c>zram</c> command's odd-pointer counts against computations that do not
/// go through it. The amd64 vmlinux: the four pointer words of every record read straight from the file at the
/// offset <c>nm</c> and <c>readelf -S</c> give. Every module of every release architecture: the loader emulation's
/// relocated <c>__dyndbg</c> bytes (the arch's own relocator), and on every 10th module GNU readelf's relocations
/// (S + A, and the target section's alignment) wherever the object alone decides the parity. The tree runs through
/// the command itself (in parallel, as users run it), its total checked against the per-module sums.
/// </summary>
[TestFixture]
[Category("Real")]
[NonParallelizable]
public class RealZramPlanTests
{
    private static readonly string[] Fields = ["modname", "function", "filename", "format"];

    [TestCaseSource(typeof(RealInputs), nameof(RealInputs.AllArches))]
    public void Vmlinux_OddPointers_EqualTheFileBytesAtTheSymbolsAddresses(string arch) =>
        OddPointersAreTheFileBytesAtTheSymbolsAddresses(RealInputs.Vmlinux(arch), arch);

    /// <summary>The check above on any linked vmlinux of <paramref name="arch"/> (also the ones built from
    /// linux-source, <see cref="BuiltVmlinux"/>): the bounds from <c>readelf -sW</c> (GNU nm reads only the host's
    /// targets), the holding section from <c>readelf -SW</c>, the pointers read in the file's own byte order.</summary>
    internal static void OddPointersAreTheFileBytesAtTheSymbolsAddresses(string vmlinux, string arch)
    {
        Tools.Require("readelf");
        var facts = RealInputs.FactsOf(arch);
        var symbols = ReadelfOracle.Symbols(vmlinux); // .symtab (s390x's PIE vmlinux names the bounds in .dynsym too)
        ulong Symbol(string name) => symbols.Single(x => x.Name == name).Value;
        var (start, stop) = (Symbol("__start___dyndbg"), Symbol("__stop___dyndbg"));
        var (rc, sections, _) = Tools.Run("readelf", "-SW", vmlinux);
        rc.Should().Be(0);
        // [Nr] Name Type Address Off Size ...: the PROGBITS section whose address range holds the table
        var holder = sections.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, @"\]\s+(\S+)\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)"))
            .Where(m => m.Success)
            .Select(m => (Address: Hex(m.Groups[2].Value), Offset: Hex(m.Groups[3].Value), Size: Hex(m.Groups[4].Value)))
            .Single(s => s.Address != 0 && s.Address <= start && stop <= s.Address + s.Size); // not a debug section at 0
        var bytes = new byte[stop - start];
        using (var fs = File.OpenRead(vmlinux))
        {
            fs.Position = (long)(holder.Offset + (start - holder.Address));
            fs.ReadExactly(bytes);
        }

        // v6.1-{64,32}{le,be}-jl, as BTF says (RealVmlinuxTests): four pointers, then the rest of the record
        var (recordSize, pointer) = facts.Is64 ? (56, 8) : (32, 4);
        ((ulong)bytes.Length % (ulong)recordSize).Should().Be(0UL, $"{arch}: __dyndbg holds whole {recordSize}-byte records");
        // the low bit is in the last byte of a big-endian word, the first of a little-endian one
        var lowByte = facts.BigEndian ? pointer - 1 : 0;
        var byField = new int[4];
        var any = 0;
        for (var i = 0; i < bytes.Length / recordSize; i++)
        {
            var odd = false;
            for (var f = 0; f < 4; f++)
            {
                if ((bytes[(i * recordSize) + (pointer * f) + lowByte] & 1) != 0)
                {
                    byField[f]++;
                    odd = true;
                }
            }

            any += odd ? 1 : 0;
        }

        var o = Zram(vmlinux).GetProperty("oddPointers");
        o.GetProperty("records").GetInt32().Should().Be(any);
        if (facts.Machine is ElfMachine.X86_64 or ElfMachine.I386)
        {
            any.Should().BePositive("x86 gcc packs string literals at byte alignment (other targets align them: 0 odd there)");
        }

        Fields.Select(n => o.GetProperty("byField").GetProperty(n).GetInt32()).Should().Equal(byField);
        o.GetProperty("layoutDependent").GetInt32().Should().Be(0, "a linked image's values are final");
        o.GetProperty("isZhandle").GetProperty("misreadsWithFlag").GetInt32().Should().Be(0);
        TestContext.Out.WriteLine($"{Path.GetFileName(vmlinux)}: {any} of {bytes.Length / recordSize} records have an odd pointer; by field {string.Join(", ", byField)}");
    }

    [TestCaseSource(typeof(RealInputs), nameof(RealInputs.AllArches))]
    public void ModuleTree_OddPointers_EqualTheLoadedBytes_AndReadelf(string arch)
    {
        var tree = RealInputs.Arch(arch).Modules;
        var sum = new int[4];
        int any = 0, modules = 0, byReadelf = 0, decided = 0;
        long pages = 0;
        var all = Directory.EnumerateFiles(tree, "*.ko", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        for (var k = 0; k < all.Count; k++)
        {
            using var f = ElfFile.Open(all[k]);
            var image = ImageReader.ReadMainline(f);
            if (image.Records.Count == 0)
            {
                continue;
            }

            modules++;
            pages += ((long)f.FindSection("__dyndbg")!.Size + 4095) / 4096;
            var tool = OddPointerTest.Run(f, image);
            var loaded = LoadedPointerParity.Parities(f, image.Decision!.Layout.RecordSize);
            var (byField, odd, _) = LoadedPointerParity.Count(f, image.Decision.Layout.RecordSize);
            new[] { tool.Modname, tool.Function, tool.Filename, tool.Format }.Should().Equal(byField, all[k]);
            tool.Records.Should().Be(odd, all[k]);
            tool.LayoutDependent.Should().Be(0, "a module's sections are placed by the loader, strings are not merged");
            for (var i = 0; i < 4; i++)
            {
                sum[i] += byField[i];
            }

            any += odd;
            if (modules % 10 == 1)
            {
                byReadelf++;
                var oracle = ReadelfOracle.DyndbgPointerParities(all[k]);
                oracle.GetLength(0).Should().Be(loaded.GetLength(0), all[k]);
                for (var i = 0; i < oracle.GetLength(0); i++)
                {
                    for (var fld = 0; fld < 4; fld++)
                    {
                        if (oracle[i, fld] is { } known)
                        {
                            decided++;
                            loaded[i, fld].Should().Be(known, $"{all[k]} record {i} {Fields[fld]}: readelf's S + A in a section aligned to 2 or more");
                        }
                    }
                }
            }
        }

        modules.Should().BeGreaterThan(500);
        decided.Should().BePositive();

        // The command over the whole tree (parallel), as one kernel: each module's table from a page boundary on.
        var total = Zram(["--total", tree], zram: true);
        foreach (var device in new[] { "zram", "zramLoaded" })
        {
            total.GetProperty(device).EnumerateArray().Select(z => z.GetProperty("origDataSize").GetInt64()).Should().AllBeEquivalentTo(pages * 4096, device);
            total.GetProperty(device).EnumerateArray().Should().OnlyContain(z => z.GetProperty("comprDataSize").GetInt64() > 0 && z.GetProperty("memUsedTotal").GetInt64() > 0);
        }

        var o = total.GetProperty("oddPointers");
        Fields.Select(n => o.GetProperty("byField").GetProperty(n).GetInt32()).Should().Equal(sum);
        o.GetProperty("records").GetInt32().Should().Be(any);
        total.GetProperty("records").GetInt64().Should().BePositive();
        TestContext.Out.WriteLine($"{arch}: {modules} modules, {total.GetProperty("records").GetInt64()} records, {any} with an odd pointer " +
                                  $"(modname {sum[0]}, function {sum[1]}, filename {sum[2]}, format {sum[3]}); readelf decided {decided} pointers in {byReadelf} modules");
    }

    [Test]
    public void Vmlinux_TheZsPoolCopy_AndZramFigures_AreConsistent()
    {
        var o = Zram(RealInputs.Vmlinux("amd64"), zram: true);
        var records = o.GetProperty("records").GetInt64();
        o.GetProperty("recordSize").GetInt32().Should().Be(56);
        o.GetProperty("dyndbgBytes").GetInt64().Should().Be(records * 56);
        var zs = o.GetProperty("zsPool");
        zs.GetProperty("beforeBytes").GetInt64().Should().Be(records * 56);
        zs.GetProperty("pages").GetInt64().Should().BeGreaterThanOrEqualTo((records * 64) / 4096);
        foreach (var z in o.GetProperty("zram").EnumerateArray())
        {
            z.GetProperty("origDataSize").GetInt64().Should().Be((records * 56 + 4095) / 4096 * 4096);
            z.GetProperty("comprDataSize").GetInt64().Should().BePositive().And.BeLessThan(records * 56);
        }
    }

    private static JsonElement Zram(params string[] args) => Zram(args, false);

    private static JsonElement Zram(string path, bool zram) => Zram([path], zram);

    private static JsonElement Zram(string[] args, bool zram)
    {
        string[] all = ["zram", "--format", "json", "--hits", "1000", .. zram ? Array.Empty<string>() : ["--no-zram"], .. args];
        var (code, output, err) = CliRunner.Run(all);
        code.Should().Be(0, err);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static ulong Hex(string s) => ulong.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
