using System.Runtime.CompilerServices;

namespace DynDbg.ElfSim.Compression;

/// <summary>
/// <c>cols</c>, this tool's own design (docs/compression.md, "cols"): the three columns as nested runs in one
/// bit stream, built to fetch any site in about a hundred nanoseconds without a decompression context.
/// <list type="bullet">
/// <item>Run boundaries nest: a modname change is also a filename boundary, a filename boundary also a function
/// boundary (forced where the value does not change, at the cost of a zero delta). One bit per record marks
/// function-run starts, one bit per function run marks filename-run starts, one bit per filename run marks
/// modname-run starts; a Get finds its three run numbers by counting set bits (rank).</item>
/// <item>Each column keeps one value per run, as the zig-zag difference to the previous run's value in an
/// order-k Exp-Golomb code, k chosen per column for the fewest bits. Every <see cref="Stride"/>-th run is a
/// checkpoint coded against <see cref="SiteTable.Anchor"/> (the address of record 0, which a Get has for free:
/// <c>dp - dp->_index</c>), with its bit offset in a fixed-width table, so a Get decodes at most Stride-1
/// differences per column.</item>
/// </list>
/// Stream layout: header (run counts, the four k, the offset width), the three boundary bitmaps, the checkpoint
/// table, then the function, filename and modname value codes. Bytes: the whole stream, rounded up to a byte;
/// the checkpoint table is reported as Index. Nothing is decoded ahead: every Get re-reads the header.
/// </summary>
public sealed class ColumnSiteStore : SiteStore
{
    public const int DefaultStride = 16;

    private const int KBits = 6;
    private const int WidthBits = 6;

    private readonly byte[] _stream;
    private readonly long _checkpointBits;

    public ColumnSiteStore(SiteTable table, int stride = DefaultStride) : base(table)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        Stride = stride;
        (_stream, _checkpointBits, Runs) = Encode(table, stride);
    }

    public int Stride { get; }

    /// <summary>Runs per column (function, filename, modname), forced boundaries included.</summary>
    public (int Function, int Filename, int Modname) Runs { get; }

    public override string Name => "cols";

    public override SiteStoreSize Size => new(_stream.Length - (_checkpointBits / 8), _checkpointBits / 8, 0);

    public override bool RandomAccess => true;

    public override string Detail =>
        $"nested runs function {Runs.Function} / filename {Runs.Filename} / modname {Runs.Modname}, Exp-Golomb deltas, checkpoint every {Stride} runs";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override Site Get(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var h = new Header(_stream, Count, Stride);
        var r = new BitReader(_stream, 0);
        var fn = r.Rank(h.FunctionBits, index);
        var file = r.Rank(h.FilenameBits, fn);
        var mod = r.Rank(h.ModnameBits, file);
        return new Site(
            Value(ref h, 2, mod),
            Value(ref h, 1, file),
            Value(ref h, 0, fn));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Stream(Action<int, Site> visit)
    {
        if (Count == 0)
        {
            return;
        }

        var h = new Header(_stream, Count, Stride);
        var bits = new BitReader(_stream, h.FunctionBits);
        var cursors = new[] { new Cursor(h.ValueStart(0)), new Cursor(h.ValueStart(1)), new Cursor(h.ValueStart(2)) };
        long fileBit = h.FilenameBits, modBit = h.ModnameBits;
        Step(ref h, cursors, 0);
        Step(ref h, cursors, 1);
        Step(ref h, cursors, 2);
        for (var i = 0; i < Count; i++)
        {
            if (i > 0 && bits.ReadBit())
            {
                Step(ref h, cursors, 0);
                var fileBits = new BitReader(_stream, fileBit++);
                if (fileBits.ReadBit())
                {
                    Step(ref h, cursors, 1);
                    var modBits = new BitReader(_stream, modBit++);
                    if (modBits.ReadBit())
                    {
                        Step(ref h, cursors, 2);
                    }
                }
            }

            visit(i, new Site(cursors[2].Value, cursors[1].Value, cursors[0].Value));
        }
    }

    /// <summary>The value of run <paramref name="run"/> of column c (0 function, 1 filename, 2 modname).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ulong Value(ref Header h, int c, int run)
    {
        var checkpoint = run / Stride;
        var r = new BitReader(_stream, h.CheckpointOffset(c, checkpoint));
        var value = unchecked(Table.Anchor + Unzig(r.ReadExpGolomb(h.AnchorK)));
        var k = h.DeltaK(c);
        for (var j = checkpoint * Stride; j < run; j++)
        {
            value = unchecked(value + Unzig(r.ReadExpGolomb(k)));
        }

        return value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Step(ref Header h, Cursor[] cursors, int c)
    {
        var cur = cursors[c];
        var r = new BitReader(_stream, cur.Position);
        cur.Value = cur.Run % Stride == 0
            ? unchecked(Table.Anchor + Unzig(r.ReadExpGolomb(h.AnchorK)))
            : unchecked(cur.Value + Unzig(r.ReadExpGolomb(h.DeltaK(c))));
        cur.Position = r.Position;
        cur.Run++;
    }

    private static (byte[], long, (int, int, int)) Encode(SiteTable table, int stride)
    {
        var sites = table.Sites.ToArray();
        var n = sites.Length;
        if (n == 0)
        {
            return ([], 0, (0, 0, 0));
        }

        // Nested boundaries: modname ⊂ filename ⊂ function.
        var modStart = new bool[n];
        var fileStart = new bool[n];
        var fnStart = new bool[n];
        for (var i = 0; i < n; i++)
        {
            modStart[i] = i == 0 || sites[i].Modname != sites[i - 1].Modname;
            fileStart[i] = modStart[i] || sites[i].Filename != sites[i - 1].Filename;
            fnStart[i] = fileStart[i] || sites[i].Function != sites[i - 1].Function;
        }

        var fnRuns = new List<int>();
        for (var i = 0; i < n; i++)
        {
            if (fnStart[i])
            {
                fnRuns.Add(i);
            }
        }

        var fileRuns = fnRuns.Where(i => fileStart[i]).ToList();
        var modRuns = fileRuns.Where(i => modStart[i]).ToList();
        var columns = new[]
        {
            fnRuns.Select(i => sites[i].Function).ToArray(),
            fileRuns.Select(i => sites[i].Filename).ToArray(),
            modRuns.Select(i => sites[i].Modname).ToArray(),
        };

        var anchorCodes = new List<ulong>();
        var deltaCodes = new List<ulong>[3];
        for (var c = 0; c < 3; c++)
        {
            deltaCodes[c] = [];
            for (var j = 0; j < columns[c].Length; j++)
            {
                if (j % stride == 0)
                {
                    anchorCodes.Add(Zig(unchecked(columns[c][j] - table.Anchor)));
                }
                else
                {
                    deltaCodes[c].Add(Zig(unchecked(columns[c][j] - columns[c][j - 1])));
                }
            }
        }

        var anchorK = BestK(anchorCodes);
        var deltaK = deltaCodes.Select(BestK).ToArray();

        // Value codes first, to learn the checkpoint offsets (relative to the start of the value area).
        var values = new BitWriter();
        var offsets = new List<long>();
        for (var c = 0; c < 3; c++)
        {
            for (var j = 0; j < columns[c].Length; j++)
            {
                if (j % stride == 0)
                {
                    if (c > 0 || j > 0)
                    {
                        offsets.Add(values.Length);
                    }

                    values.WriteExpGolomb(Zig(unchecked(columns[c][j] - table.Anchor)), anchorK);
                }
                else
                {
                    values.WriteExpGolomb(Zig(unchecked(columns[c][j] - columns[c][j - 1])), deltaK[c]);
                }
            }
        }

        var width = offsets.Count == 0 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)offsets.Max());
        var w = new BitWriter();
        w.WriteExpGolomb((ulong)(fnRuns.Count - 1), 0);
        w.WriteExpGolomb((ulong)(fileRuns.Count - 1), 0);
        w.WriteExpGolomb((ulong)(modRuns.Count - 1), 0);
        foreach (var k in deltaK)
        {
            w.Write((ulong)k, KBits);
        }

        w.Write((ulong)anchorK, KBits);
        w.Write((ulong)width, WidthBits);
        for (var i = 1; i < n; i++)
        {
            w.WriteBit(fnStart[i]);
        }

        for (var j = 1; j < fnRuns.Count; j++)
        {
            w.WriteBit(fileStart[fnRuns[j]]);
        }

        for (var j = 1; j < fileRuns.Count; j++)
        {
            w.WriteBit(modStart[fileRuns[j]]);
        }

        var before = w.Length;
        foreach (var o in offsets)
        {
            w.Write((ulong)o, width);
        }

        var checkpointBits = w.Length - before;
        var all = w.ToArray();
        var valueBytes = values.ToArray();

        // Append the value area bit by bit after the header (it does not start on a byte boundary).
        var joined = new BitWriter();
        var r = new BitReader(all, 0);
        for (var left = w.Length; left > 0; left -= 56)
        {
            var take = (int)Math.Min(56, left);
            joined.Write(r.Read(take), take);
        }

        var rv = new BitReader(valueBytes, 0);
        for (var left = values.Length; left > 0; left -= 56)
        {
            var take = (int)Math.Min(56, left);
            joined.Write(rv.Read(take), take);
        }

        return (joined.ToArray(), checkpointBits, (fnRuns.Count, fileRuns.Count, modRuns.Count));
    }

    /// <summary>The Exp-Golomb order (0..40) that codes these values in the fewest bits.</summary>
    private static int BestK(List<ulong> codes)
    {
        var best = 0;
        var bestBits = long.MaxValue;
        for (var k = 0; k <= 40; k++)
        {
            long bits = 0;
            foreach (var x in codes)
            {
                bits += BitWriter.ExpGolombLength(x, k);
            }

            if (bits < bestBits)
            {
                (best, bestBits) = (k, bits);
            }
        }

        return best;
    }

    private static ulong Zig(ulong delta) => unchecked((ulong)(((long)delta << 1) ^ ((long)delta >> 63)));

    private static ulong Unzig(ulong z) => unchecked((z >> 1) ^ (ulong)(-(long)(z & 1)));

    /// <summary>Where a column's value codes are: kept in a class so Stream can advance three at once.</summary>
    private sealed class Cursor(long position)
    {
        public long Position { get; set; } = position;
        public ulong Value { get; set; }
        public int Run { get; set; }
    }

    /// <summary>The decoded stream header and the bit positions derived from it.</summary>
    private readonly ref struct Header
    {
        private readonly ReadOnlySpan<byte> _stream;
        private readonly int _k0, _k1, _k2;
        private readonly int _checkpoints0, _checkpoints1;
        private readonly int _stride;
        private readonly int _width;
        private readonly long _checkpointTable;
        private readonly long _values;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public Header(ReadOnlySpan<byte> stream, int count, int stride)
        {
            _stream = stream;
            _stride = stride;
            var r = new BitReader(stream, 0);
            var fnRuns = (int)r.ReadExpGolomb(0) + 1;
            var fileRuns = (int)r.ReadExpGolomb(0) + 1;
            var modRuns = (int)r.ReadExpGolomb(0) + 1;
            _k0 = (int)r.Read(KBits);
            _k1 = (int)r.Read(KBits);
            _k2 = (int)r.Read(KBits);
            AnchorK = (int)r.Read(KBits);
            _width = (int)r.Read(WidthBits);
            FunctionBits = r.Position;
            FilenameBits = FunctionBits + count - 1;
            ModnameBits = FilenameBits + fnRuns - 1;
            _checkpointTable = ModnameBits + fileRuns - 1;
            _checkpoints0 = (fnRuns + stride - 1) / stride;
            _checkpoints1 = (fileRuns + stride - 1) / stride;
            var total = _checkpoints0 + _checkpoints1 + ((modRuns + stride - 1) / stride);
            _values = _checkpointTable + ((long)(total - 1) * _width);
        }

        public long FunctionBits { get; }
        public long FilenameBits { get; }
        public long ModnameBits { get; }
        public int AnchorK { get; }

        public int DeltaK(int column) => column switch { 0 => _k0, 1 => _k1, _ => _k2 };

        /// <summary>Bit position of checkpoint <paramref name="checkpoint"/> of column c.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public long CheckpointOffset(int column, int checkpoint)
        {
            var slot = checkpoint + (column >= 1 ? _checkpoints0 : 0) + (column >= 2 ? _checkpoints1 : 0);
            if (slot == 0)
            {
                return _values;
            }

            var r = new BitReader(_stream, _checkpointTable + ((long)(slot - 1) * _width));
            return _values + (long)r.Read(_width);
        }

        public long ValueStart(int column) => CheckpointOffset(column, 0);
    }
}
