using DynDbg.ElfSim.Diagnostics;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Tests.Elf;

/// <summary>The ELF writer: what it writes reads back through <see cref="ElfFile"/> field for field, and readelf reads
/// it without a complaint, for each class, byte order and relocation format.</summary>
[TestFixture]
public class ElfWriterTests
{
    private static ElfWriter Sample(ElfIdentity id, bool rela)
    {
        var w = new ElfWriter(id);
        var text = w.AddSection(".text", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr,
            ElfContent.Of([0x90, 0x90, 0x90, 0xc3]));
        text.AddrAlign = 16;
        var data = w.AddSection("__dyndbg", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite, ElfContent.Of(new byte[16]));
        data.AddrAlign = 8;
        var bss = w.AddSection(".bss", ElfConstants.ShtNobits, ElfConstants.ShfAlloc | ElfConstants.ShfWrite, size: 0x40);
        bss.AddrAlign = 32;
        var strings = w.AddSection(".rodata.str1.1", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfMerge | ElfConstants.ShfStrings,
            ElfContent.Of("alpha\0beta\0"u8.ToArray()));
        strings.EntSize = 1;
        w.AddSymbol(new ElfWriterSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, text));
        var str = w.AddSymbol(new ElfWriterSymbol("", 0, 0, ElfConstants.StbLocal, ElfConstants.SttSection, strings));
        var global = w.AddSymbol(new ElfWriterSymbol("init_module", 0, 4, ElfConstants.StbGlobal, ElfConstants.SttFunc, text));
        w.AddSymbol(new ElfWriterSymbol("a.c", 0, 0, ElfConstants.StbLocal, ElfConstants.SttFile, null, ElfConstants.ShnAbs));
        var undef = w.AddSymbol(new ElfWriterSymbol("printk", 0, 0, ElfConstants.StbGlobal, ElfConstants.SttNotype, null));
        w.AddSymbol(new ElfWriterSymbol("buf", 8, 0x40, ElfConstants.StbWeak, ElfConstants.SttObject, null, ElfConstants.ShnCommon));
        w.AddSymbol(new ElfWriterSymbol("descriptor", 0, 16, ElfConstants.StbLocal, ElfConstants.SttObject, data));
        var abs64 = id.Machine switch { ElfMachine.X86_64 => 1u, ElfMachine.S390 => 22u, ElfMachine.Mips => 18u, _ => 1u };
        w.AddRelocations(data, rela,
        [
            new ElfWriterRelocation(0, str, abs64, 6),
            new ElfWriterRelocation(8, global, abs64, 0, id.IsMips64 ? (byte)0 : (byte)0),
        ]);
        w.AddRelocations(text, rela, [new ElfWriterRelocation(1, undef, id.Machine == ElfMachine.I386 ? 2u : abs64, -4)]);
        return w;
    }

    private static readonly object[] Identities =
    [
        new object[] { new ElfIdentity(true, false, ElfMachine.X86_64), true },
        new object[] { new ElfIdentity(false, false, ElfMachine.I386), false },
        new object[] { new ElfIdentity(true, true, ElfMachine.S390), true },
        new object[] { new ElfIdentity(true, false, ElfMachine.Mips), true },
    ];

    [TestCaseSource(nameof(Identities))]
    public void RoundTrip_ThroughTheReader(ElfIdentity id, bool rela)
    {
        var bytes = Sample(id, rela).ToArray();
        using var f = ElfFile.FromBytes("w.o", bytes);
        f.Header.Is64.Should().Be(id.Is64);
        f.Header.IsBigEndian.Should().Be(id.IsBigEndian);
        f.Header.Machine.Should().Be(id.Machine);
        f.Header.Type.Should().Be(ElfConstants.EtRel);
        f.Sections.Select(s => s.Name).Should().Equal("", ".text", ".rel" + (rela ? "a" : "") + ".text", "__dyndbg",
            ".rel" + (rela ? "a" : "") + "__dyndbg", ".bss", ".rodata.str1.1", ".symtab", ".strtab", ".shstrtab");
        var text = f.FindSection(".text")!;
        text.AddrAlign.Should().Be(16);
        f.GetContents(text).ToArray().Should().Equal(0x90, 0x90, 0x90, 0xc3);
        (text.Offset % 16).Should().Be(0);
        var bss = f.FindSection(".bss")!;
        bss.Type.Should().Be(ElfConstants.ShtNobits);
        bss.Size.Should().Be(0x40);
        f.FindSection(".rodata.str1.1")!.EntSize.Should().Be(1);

        // Locals first, in the order added; sh_info is the first global.
        var st = f.SymbolTable!;
        st.Count.Should().Be(8);
        Enumerable.Range(1, 7).Select(st.GetName).Should().Equal("", "", "a.c", "descriptor", "init_module", "printk", "buf");
        st.Section.Info.Should().Be(5);
        st[3].SectionIndex.Should().Be(ElfConstants.ShnAbs);
        st[6].IsUndefined.Should().BeTrue();
        st[7].IsCommon.Should().BeTrue();
        st[7].Value.Should().Be(8);
        st[7].Binding.Should().Be(ElfConstants.StbWeak);
        st[4].SectionIndex.Should().Be((uint)f.FindSection("__dyndbg")!.Index);

        var rel = f.GetRelocations(f.Sections.First(s => s.IsRelocation && s.Name.EndsWith("__dyndbg", StringComparison.Ordinal)));
        rel.Target.Name.Should().Be("__dyndbg");
        rel.Entries[0].SymbolIndex.Should().Be(2u);
        rel.Entries[1].SymbolIndex.Should().Be(5u);
        rel.Entries[1].Offset.Should().Be(8);
        if (rela)
        {
            rel.Entries[0].Addend.Should().Be(6);
        }

        f.GetRelocations(f.Sections.First(s => s.IsRelocation && s.Name.EndsWith(".text", StringComparison.Ordinal))).Entries[0].SymbolIndex.Should().Be(6u);
    }

    [Test]
    public void StringTables_ShareTails_AsBfdDoes()
    {
        var bytes = Sample(new ElfIdentity(true, false, ElfMachine.X86_64), true).ToArray();
        using var f = ElfFile.FromBytes("w.o", bytes);
        var shstr = f.GetContents(f.FindSection(".shstrtab")!);
        // ".text" is the tail of ".rela.text" and "__dyndbg" of ".rela__dyndbg": neither is stored on its own.
        System.Text.Encoding.ASCII.GetString(shstr).Split('\0').Should().NotContain(".text").And.NotContain("__dyndbg");
        f.FindSection(".text").Should().NotBeNull();
    }

    [Test]
    public void StringTable_StoresOnlyStringsThatEndNoOther_ForNamesEndingAlike()
    {
        // Names sharing their last 8 bytes, their last 12, and more, so every stage of the tail-merge sort has runs
        // to order; some are whole tails of others ("irq_handler" in "a_irq_handler").
        var names = new List<string>();
        foreach (var stem in new[] { "_handler", "irq_handler", "_irq_handler", "xx_irq_handler", "_init", "fn_init" })
        {
            for (var i = 0; i < 300; i++)
            {
                names.Add(i % 7 == 0 ? stem[1..] : $"{(char)('a' + (i % 26))}{i}{stem}");
            }
        }

        // Each tail added after its owner and an unrelated name ending alike, so that the sort alone puts it next
        // to its owner: sharing eight bytes ("_handler"), and sharing twelve ("_common_tail").
        for (var i = 0; i < 40; i++)
        {
            foreach (var end in new[] { "_handler", "_common_tail" })
            {
                names.Add($"q{i}owner{end}");
                names.Add($"q{i}other{end}");
                names.Add($"{i}owner{end}");
            }
        }

        var distinct = names.Distinct(StringComparer.Ordinal).ToList();
        var w = new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64));
        var text = w.AddSection(".text", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc, ElfContent.Of([0]));
        foreach (var n in names)
        {
            w.AddSymbol(new ElfWriterSymbol(n, 0, 0, ElfConstants.StbGlobal, ElfConstants.SttFunc, text));
        }

        using var f = ElfFile.FromBytes("tails.o", w.ToArray());
        var st = f.SymbolTable!;
        Enumerable.Range(1, names.Count).Select(st.GetName).Should().Equal(names);

        // bfd's rule: a string that ends another one is not stored on its own; every other one is, once.
        var stored = distinct.Where(s => !distinct.Any(t => t.Length > s.Length && t.EndsWith(s, StringComparison.Ordinal))).ToList();
        var table = System.Text.Encoding.ASCII.GetString(f.GetContents(f.FindSection(".strtab")!));
        table.Split('\0').Where(s => s.Length > 0).Should().BeEquivalentTo(stored);
        table.Length.Should().Be(1 + stored.Sum(s => s.Length + 1));
    }

    [TestCaseSource(nameof(Identities))]
    public void Readelf_ReadsItWithoutAWarning(ElfIdentity id, bool rela)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"writer-{id.Machine}-{id.Is64}-{id.IsBigEndian}.o");
        Sample(id, rela).WriteFile(path);
        var (code, stdout, stderr) = Tools.Run("readelf", "-a", "-W", path);
        code.Should().Be(0, stderr);
        stderr.Should().BeEmpty();
        stdout.Should().NotContain("Warning").And.Contain("init_module").And.Contain("printk");
    }

    [Test]
    public void ExtendedNumbering_WhenThereAre0xff00SectionsOrMore()
    {
        var w = new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64));
        ElfWriterSection? last = null;
        for (var i = 0; i < 0xff10; i++)
        {
            last = w.AddSection($".s{i}", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc, ElfContent.Of([(byte)i]));
        }

        w.AddSymbol(new ElfWriterSymbol("high", 0, 1, ElfConstants.StbGlobal, ElfConstants.SttObject, last));
        var bytes = w.ToArray();
        using var f = ElfFile.FromBytes("many.o", bytes);
        f.Header.ShNum.Should().Be(0);
        f.Header.ShStrNdx.Should().Be(ElfConstants.ShnXindex);
        f.Sections.Count.Should().Be(0xff10 + 5);
        var st = f.SymbolTable!;
        st[1].SectionIndex.Should().Be((uint)last!.Index);
        f.Sections[last.Index].Name.Should().Be(".s65295");
    }

    [Test]
    public void WriteFile_LeavesTheOldFile_WhenWritingFails()
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "keep.o");
        File.WriteAllText(path, "old");
        var w = new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64));
        w.AddSection(".broken", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc, new Failing());
        var act = () => w.WriteFile(path);
        act.Should().Throw<UsageException>().Which.Id.Should().Be(UsageErrorIds.CannotWriteOutput);
        File.ReadAllText(path).Should().Be("old");
        Directory.GetFiles(TestContext.CurrentContext.WorkDirectory, ".keep.o.*").Should().BeEmpty();
    }

    [Test]
    public void WriterMakesTheTablesItself()
    {
        var w = new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64));
        var act = () => w.AddSection(".symtab", ElfConstants.ShtSymtab, 0);
        act.Should().Throw<ArgumentException>();
    }

    /// <summary>Enough symbols and relocations that the writer builds the string table on its second thread while the
    /// contents are written, and encodes the symbol and relocation tables on both threads.</summary>
    private static ElfWriter Big(bool threadSafe, bool bfdOrder, Func<int, int>? failAt = null)
    {
        // In bfd's file order the relocation tables come after .strtab, so they are encoded on both threads; in
        // section order they come before it, while the second thread builds the string table.
        var w = new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64)) { BfdFileOrder = bfdOrder };
        var text = w.AddSection(".text", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc | ElfConstants.ShfExecInstr,
            ElfContent.Of(new byte[0x10000]));
        for (var i = 0; i < 6000; i++)
        {
            // Every third name is another's tail ("f1" in "x_f1"), so the tail merge has work on both threads' tables.
            var name = i % 3 == 0 ? $"f{i - 1}" : i % 3 == 1 ? $"x_f{i}" : $"sym_{i}_{new string('n', i % 40)}";
            w.AddSymbol(new ElfWriterSymbol(name, (ulong)i, 1, i < 2000 ? ElfConstants.StbLocal : ElfConstants.StbGlobal,
                ElfConstants.SttFunc, text));
        }

        w.AddRelocations(text, true, 9000, i =>
        {
            if (failAt?.Invoke(i) == i)
            {
                throw new InvalidOperationException($"entry {i}");
            }

            return new ElfWriterRelocation((ulong)i * 4, 1 + (i % 6000), 2, i - 4500);
        }, threadSafe);
        return w;
    }

    [TestCase(true)]
    [TestCase(false)]
    public void BigTables_WrittenOnTwoThreads_AreTheSameBytes_AndReadBack(bool bfdOrder)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"big-tables-{bfdOrder}.o");
        Big(threadSafe: true, bfdOrder).WriteFile(path);
        var onFile = File.ReadAllBytes(path);

        // In memory the string table is built first, and an entry function not marked thread-safe runs on one thread.
        onFile.Should().Equal(Big(threadSafe: false, bfdOrder).ToArray());

        using var f = ElfFile.FromBytes("big.o", onFile);
        var st = f.SymbolTable!;
        st.Count.Should().Be(6001);
        for (var i = 0; i < 6000; i += 7)
        {
            var name = i % 3 == 0 ? $"f{i - 1}" : i % 3 == 1 ? $"x_f{i}" : $"sym_{i}_{new string('n', i % 40)}";
            st.GetName(i + 1).Should().Be(name);
        }

        var relocations = f.GetRelocations(f.FindSection(".rela.text")!);
        relocations.Count.Should().Be(9000);
        for (var i = 0; i < 9000; i += 13)
        {
            var r = relocations.At(i);
            (r.Offset, r.SymbolIndex, r.Addend).Should().Be(((ulong)i * 4, (uint)(1 + (i % 6000)), (long)(i - 4500)));
        }
    }

    [Test]
    public void SectionWritten_CountsEveryByteOnce_AndBigTablesInChunks()
    {
        var reports = new List<ulong>();
        var w = new ElfWriter(new ElfIdentity(true, false, ElfMachine.X86_64)) { BfdFileOrder = true, SectionWritten = reports.Add };
        var text = w.AddSection(".text", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc, ElfContent.Of(new byte[100]));
        for (var i = 0; i < 10; i++)
        {
            w.AddSymbol(new ElfWriterSymbol($"s{i}", 0, 0, ElfConstants.StbGlobal, ElfConstants.SttFunc, text));
        }

        w.AddRelocations(text, true, 10_000, i => new ElfWriterRelocation((ulong)i % 100, 1, 2, 0), threadSafe: true);
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "progress.o");
        w.WriteFile(path);

        using var f = ElfFile.FromBytes("progress.o", File.ReadAllBytes(path));
        var written = f.Sections.Where(x => x.Index > 0 && x.Type != ElfConstants.ShtNobits).Sum(x => (long)x.Size);
        reports[0].Should().Be(0);
        reports.Sum(x => (long)x).Should().Be(written);
        reports.Max().Should().BeLessThan(10_000UL * 24, "a linker lets go of input pages while a big table is written");
    }

    [Test]
    public void BigTables_WrittenAfterOtherBytes_PutTheHeaderWhereTheFileStarts()
    {
        // The header is written last when the string table is built beside the contents: at the stream's starting
        // position, not at offset 0.
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "after-prefix.bin");
        using (var fs = new FileStream(path, FileMode.Create, FileAccess.ReadWrite))
        {
            fs.Write("PREFIX!!"u8);
            Big(threadSafe: true, bfdOrder: true).WriteTo(fs);
        }

        var all = File.ReadAllBytes(path);
        System.Text.Encoding.ASCII.GetString(all, 0, 8).Should().Be("PREFIX!!");
        all[8..].Should().Equal(Big(threadSafe: false, bfdOrder: true).ToArray());
    }

    [TestCase(100, true)] // in the half this thread encodes
    [TestCase(3000, true)] // in the half the second thread encodes
    [TestCase(3000, false)] // encoded here while the second thread builds the string table
    public void BigTables_AnEntryThatThrows_FailsTheWrite_AndLeavesTheOldFile(int bad, bool bfdOrder)
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"big-fails-{bad}-{bfdOrder}.o");
        File.WriteAllText(path, "old");
        var act = () => Big(threadSafe: true, bfdOrder, i => bad).WriteFile(path);
        act.Should().Throw<InvalidOperationException>().WithMessage($"entry {bad}");
        File.ReadAllText(path).Should().Be("old");
    }

    [Test]
    public void BigTables_ContentsThatFail_WhileTheStringTableIsBuilt_LeaveTheOldFile()
    {
        var path = Path.Combine(TestContext.CurrentContext.WorkDirectory, "big-disk-full.o");
        File.WriteAllText(path, "old");
        var w = Big(threadSafe: true, bfdOrder: true);
        w.AddSection(".broken", ElfConstants.ShtProgbits, ElfConstants.ShfAlloc, new Failing());
        var act = () => w.WriteFile(path);
        act.Should().Throw<UsageException>().Which.Id.Should().Be(UsageErrorIds.CannotWriteOutput);
        File.ReadAllText(path).Should().Be("old");
    }

    private sealed class Failing : ElfContent
    {
        public override ulong Length => 8;

        public override void WriteTo(Stream stream) => throw new IOException("disk full");
    }
}
