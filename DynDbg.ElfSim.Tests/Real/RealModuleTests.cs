using System.Diagnostics;
using System.Text;
using DynDbg.ElfSim.Control;
using DynDbg.ElfSim.DynDbg;
using DynDbg.ElfSim.Elf;
using FluentAssertions.Execution;

namespace DynDbg.ElfSim.Tests.Real;

/// <summary>
/// Loads every module of every Debian kernel architecture. Each module's checks run in their own
/// <see cref="AssertionScope"/> whose failures are collected, so one run lists every module that misbehaves.
/// </summary>
[TestFixture]
[Category("Real")]
[NonParallelizable]
public sealed class RealModuleTests
{
    [TestCaseSource(typeof(RealInputs), nameof(RealInputs.AllArches))]
    public void Every_module_with_a_dyndbg_section_loads(string archName)
    {
        var arch = RealInputs.Arch(archName);
        var recordSize = arch.ExpectedRecordSize;
        var files = arch.ModuleFiles();
        files.Should().HaveCount(arch.KoCount, "fetch-real.sh reported KO_COUNT_{0}", archName);

        var failures = new FailureList();
        int withDyndbg = 0;
        long records = 0;
        var sw = Stopwatch.StartNew();
        Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, path =>
        {
            var rel = arch.Relative(path);
            failures.Run(rel, () =>
            {
                if (CheckModule(arch, path, recordSize, failures, rel) is { } count)
                {
                    Interlocked.Increment(ref withDyndbg);
                    Interlocked.Add(ref records, count);
                }
            });
        });
        sw.Stop();

        TestContext.Progress.WriteLine(
            $"Real modules [{archName}] {arch.Abi}: {files.Count} modules scanned, {withDyndbg} with __dyndbg, " +
            $"{records} records of {recordSize} bytes (CONFIG_JUMP_LABEL={(arch.JumpLabel ? "y" : "n")}), {sw.ElapsedMilliseconds} ms");
        failures.AssertNone($"{archName}: modules that do not load as expected");
        withDyndbg.Should().BePositive("a Debian {0} kernel has modules with pr_debug callsites", archName);
    }

    /// <summary>Checks one module; null when it has no <c>__dyndbg</c>, else its record count.</summary>
    private static int? CheckModule(RealArch arch, string path, int recordSize, FailureList failures, string rel)
    {
        using var f = ElfFile.Open(path);
        var h = f.Header;
        var dyndbg = f.FindSection("__dyndbg");
        if (dyndbg is null)
        {
            return null;
        }

        // Load outside the scope: an exception here is the failure, reported with its one-line form.
        var img = MainlineImage.Load(f);
        var modName = ModinfoName(f);
        string[] problems;
        using (var scope = new AssertionScope())
        {
            h.Machine.Should().Be(arch.Facts.Machine, "every {0} module is built for that machine", arch.Name);
            h.Is64.Should().Be(arch.Facts.Is64, "of the {0} ELF class", arch.Name);
            h.IsBigEndian.Should().Be(arch.Facts.BigEndian, "of the {0} byte order", arch.Name);

            img.Region.Should().NotBeNull("the module has a __dyndbg section");
            img.Decision.Should().NotBeNull("a region was found");
            if (img.Region is { } region && img.Decision is { } decision)
            {
                var layout = decision.Layout;
                region.Section.Index.Should().Be(dyndbg.Index, "the region is the __dyndbg section");
                region.Size.Should().Be(dyndbg.Size, "a module's table is its whole __dyndbg section");
                layout.RecordSize.Should().Be(recordSize, "boot/config says CONFIG_JUMP_LABEL={0}", arch.JumpLabel ? "y" : "n");
                (region.Size % (ulong)layout.RecordSize).Should().Be(0UL, "the region holds whole records");
                ((ulong)img.Records.Count).Should().Be(dyndbg.Size / (ulong)recordSize, "__dyndbg sh_size / record size");
                layout.PointerSize.Should().Be(h.PointerSize, "pointers are as wide as the ELF class says");
                layout.BigEndian.Should().Be(h.IsBigEndian, "the layout uses the ELF byte order");
                layout.Version.Should().Be(DdebugVersion.V61, "Debian bookworm ships 6.1 kernels");
            }

            img.Kind.Should().Be(ImageKind.Module);
            modName.Should().NotBeNullOrEmpty(".modinfo of a .ko carries name=");
            img.Tables.Should().ContainSingle("a module adds exactly one ddebug table");
            if (img.Tables.Count == 1)
            {
                var t = img.Tables[0];
                t.ModName.Should().Be(modName, "the table is named by the module (.modinfo name=)");
                (t.First, t.Count).Should().Be((0, img.Records.Count), "the table covers every record");
            }

            var badStrings = img.Records
                .Where(r => r.Modname is null || r.Function is null || r.Filename is null || r.Format is null)
                .Select(r => r.Index).ToArray();
            badStrings.Should().BeEmpty("every record's four pointers name strings");

            // One control line per record (formats have \n escaped), after the header line.
            var control = ControlFileWriter.Render([img]);
            control.Count(c => c == '\n').Should().Be(img.Records.Count + 1, "control shows a header plus one line per record");

            problems = scope.Discard();
        }

        foreach (var p in problems)
        {
            failures.Add(rel, p);
        }

        return img.Records.Count;
    }

    /// <summary><c>name=</c> from <c>.modinfo</c>'s NUL-separated key=value strings, read independently of the library.</summary>
    private static string? ModinfoName(ElfFile f)
    {
        if (f.FindSection(".modinfo") is not { } sec)
        {
            return null;
        }

        foreach (var item in Encoding.UTF8.GetString(f.GetContents(sec)).Split('\0'))
        {
            if (item.StartsWith("name=", StringComparison.Ordinal))
            {
                return item["name=".Length..];
            }
        }

        return null;
    }
}
