using System.Text;
using DynDbg.ElfSim.DynDbg;

namespace DynDbg.ElfSim.Control;

/// <summary>
/// The running kernel's side of <c>/proc/dynamic_debug/control</c> (6.1 <c>lib/dynamic_debug.c</c>): the list of
/// tables built by <c>dynamic_debug_init</c> and <c>ddebug_add_module</c>, and writes executed as
/// <c>ddebug_proc_write</c> → <c>ddebug_exec_queries</c> → <c>ddebug_change</c> do, with their log lines, return
/// codes, flag changes and static-key toggles (reference §3.1–3.3; invariants 21, 25–31).
/// </summary>
public sealed class DyndbgControl
{
    /// <summary><c>USER_BUF_PAGE</c>: a write must be shorter than this.</summary>
    public const int UserBufPage = 4096;

    private readonly List<ControlTable> tables = [];
    private readonly byte[] trimPrefixBytes;

    /// <param name="diet">A diet-plan kernel (v5 on 5.13, or v6): its tables, query rules and control format
    /// (reference §6.3, §6.10–6.16); null for 6.1.</param>
    public DyndbgControl(FlagLetters? letters = null, int verbose = 0, string trimPrefix = "", DietVariant? diet = null)
    {
        Diet = diet;
        Letters = letters ?? (diet is null ? FlagLetters.Linux61 : FlagLetters.DietV5);
        Log = new KernelLog(verbose);
        TrimPrefix = trimPrefix;
        trimPrefixBytes = Encoding.UTF8.GetBytes(trimPrefix);
    }

    public FlagLetters Letters { get; }

    /// <summary>The diet variant this kernel runs, or null for mainline 6.1.</summary>
    public DietVariant? Diet { get; }

    public KernelLog Log { get; }

    /// <summary>The build-tree prefix <c>trim_prefix</c> drops (the kernel's <c>__FILE__</c> minus "lib/dynamic_debug.c").</summary>
    public string TrimPrefix { get; }

    /// <summary>Tables in list order (the order the control file shows them).</summary>
    public IReadOnlyList<ControlTable> Tables => tables;

    /// <summary>The module name of the last load refused with <c>-EEXIST</c>.</summary>
    public string? Refused { get; private set; }

    /// <summary>
    /// The tables added since the list held <paramref name="countBefore"/>, in the order they were added: 6.1
    /// appends (<c>list_add_tail</c>), the diet kernel on 5.13 prepends (<c>list_add</c>, §6.4).
    /// </summary>
    public IEnumerable<ControlTable> TablesAddedSince(int countBefore) =>
        Diet is null ? tables.Skip(countBefore) : tables.Take(tables.Count - countBefore).Reverse();

    /// <summary>
    /// Sites in the order <c>cat control</c> prints them: tables in list order, each from its last site down (6.1);
    /// a diet kernel, on 5.13, walks each table from site 0 up (§3.2, invariant 29).
    /// </summary>
    public IEnumerable<ControlSite> SitesInControlOrder() =>
        Diet is null ? tables.SelectMany(t => t.Sites.Reverse()) : tables.SelectMany(t => t.Sites);

    /// <summary>Adds an image the way the kernel would meet it: the built-in table at boot, a module at insmod.</summary>
    public int Load(KernelImage image) => image switch
    {
        DietImage diet => LoadDiet(diet),
        MainlineImage m => m.Kind == ImageKind.Module ? Insmod(m) : InitBuiltIn(m),
        _ => throw new InvalidOperationException("closed hierarchy"),
    };

    /// <summary>
    /// <c>dynamic_debug_init</c>: one table per run of equal modnames, appended in array order. A kernel does this
    /// once, before any module; a second built-in image (say, another plain <c>.o</c>) is appended the same way.
    /// </summary>
    public int InitBuiltIn(MainlineImage image)
    {
        if (image.Records.Count == 0)
        {
            Log.Warn("_ddebug table is empty in a CONFIG_DYNAMIC_DEBUG build");
            return 0;
        }

        foreach (var t in image.Tables)
        {
            AddModule(image, t);
        }

        var ptr = image.File.PointerSize;
        var tableSize = ptr == 8 ? 56 : 28;
        var recordSize = image.Decision?.Layout.RecordSize ?? 0;
        var modCt = image.Tables.Count - 1;
        Log.Info(1, () => $"{image.Records.Count} prdebugs in {modCt} modules, {modCt * tableSize >> 10} KiB in ddebug tables, " +
            $"{image.Records.Count * recordSize >> 10} kiB in __dyndbg section");
        if (image.ClassMaps.Count > 0)
        {
            Log.Info(2, () => $"  {image.ClassMaps.Count} builtin ddebug class-maps");
        }

        return 0;
    }

    /// <summary>
    /// <c>load_module</c> → <c>dynamic_debug_setup</c>: a module with call sites gets one table at the end of the
    /// list. A second module of the same name is refused, as <c>load_module</c> refuses it, with <c>-EEXIST</c>.
    /// </summary>
    public int Insmod(MainlineImage image)
    {
        foreach (var t in image.Tables)
        {
            if (tables.Any(x => x.Kind == ImageKind.Module && x.ModName == t.ModName))
            {
                Refused = t.ModName;
                return -Errno.EEXIST;
            }
        }

        foreach (var t in image.Tables)
        {
            AddModule(image, t);
        }

        return 0;
    }

    /// <summary>
    /// A diet image: a module is one table of all its descriptors, header included (<c>dynamic_debug_setup</c> →
    /// <c>ddebug_add_module(tab, sites, n, modname)</c>, base 0); a linked image is cut on the parallel site's
    /// modname as v5 <c>dynamic_debug_init</c> does, each slice getting <c>base = mod_index</c>, the running
    /// global index, so <c>_index</c> counts from <c>__start___dyndbg[0]</c> (§6.2, §6.6; invariant 12). Only the
    /// first slice can hold the header (invariant 23). Tables go on the list with <c>list_add</c>, so the control
    /// file shows the last one added first (v5 is on 5.13: §3.1 "5.1x", §6.4, invariant 29). A second module of
    /// the same name is refused with <c>-EEXIST</c>, as for mainline images.
    /// </summary>
    private int LoadDiet(DietImage input)
    {
        var n = input.Records.Count;
        if (input.Kind == ImageKind.Module)
        {
            var name = input.ModName ?? (n > 0 ? input.Records[0].Modname : "");
            if (tables.Any(x => x.Kind == ImageKind.Module && x.ModName == name))
            {
                Refused = name;
                return -Errno.EEXIST;
            }

            AddDietModule(input, name, 0, n);
            return 0;
        }

        var start = 0;
        for (var i = 1; i <= n; i++)
        {
            if (i == n || !string.Equals(input.Records[i].Modname, input.Records[start].Modname, StringComparison.Ordinal))
            {
                AddDietModule(input, input.Records[start].Modname, start, i - start);
                start = i;
            }
        }

        return 0;
    }

    /// <summary>
    /// <c>ddebug_proc_write</c>: an empty write returns 0; more than 4095 bytes is <c>-E2BIG</c>; otherwise the
    /// bytes up to the first NUL are executed and the write returns its full length, or the last query error.
    /// </summary>
    public ControlWriteResult Write(ReadOnlySpan<byte> data)
    {
        var mark = Log.Lines.Count;
        var queries = new List<QueryResult>();
        var len = data.Length;
        int rc;
        if (len == 0)
        {
            rc = 0;
        }
        else if (len > UserBufPage - 1)
        {
            Log.Warn($"expected <{UserBufPage} bytes into control");
            rc = -Errno.E2BIG;
        }
        else
        {
            Log.Info(2, () => $"read {len} bytes from userspace");
            var ret = ExecQueries(data, null, queries);
            rc = ret < 0 ? ret : len;
        }

        return new ControlWriteResult(len, rc, queries, Log.Since(mark));
    }

    /// <summary>
    /// <c>ddebug_exec_queries</c>: queries split on ';' and '\n', leading blanks skipped, empty and '#' items
    /// ignored; every query runs even after one fails. Returns the last error, or the total of matches.
    /// <paramref name="modname"/> is the module of a <c>$mod.dyndbg=</c> parameter, null for control writes.
    /// </summary>
    public int ExecQueries(ReadOnlySpan<byte> text, string? modname, List<QueryResult>? results = null)
    {
        text = KernelText.CString(text);
        int i = 0, errs = 0, exitCode = 0, nfound = 0;
        var more = true;
        while (more)
        {
            var split = text.IndexOfAny((byte)';', (byte)'\n');
            var query = split < 0 ? text : text[..split];
            more = split >= 0;
            text = more ? text[(split + 1)..] : [];

            var skip = 0;
            while (skip < query.Length && KernelCType.IsSpace(query[skip]))
            {
                skip++;
            }

            query = query[skip..];
            if (query.Length == 0 || query[0] == '#')
            {
                continue;
            }

            var shown = KernelLog.Str(query);
            var n = i;
            Log.Info(1, () => $"query {n}: \"{shown}\" mod:{modname ?? "*"}");
            var rc = ExecQuery(query, modname);
            results?.Add(new QueryResult(i, shown, rc));
            if (rc < 0)
            {
                errs++;
                exitCode = rc;
            }
            else
            {
                nfound += rc;
            }

            i++;
        }

        if (i > 0)
        {
            Log.Info(2, () => $"processed {i} queries, with {nfound} matches, {errs} errs");
        }

        return exitCode != 0 ? exitCode : nfound;
    }

    /// <summary><c>dynamic_emit_prefix</c> for a site in its current state.</summary>
    public string Prefix(ControlSite site, int pid = 1, bool inInterrupt = false) =>
        MessagePrefix.Emit(site, Letters, TrimPrefix, pid, inInterrupt);

    /// <summary><c>ddebug_exec_query</c>: flags first (the last word), then the match-spec pairs, then the change.</summary>
    private int ExecQuery(ReadOnlySpan<byte> query, string? modname)
    {
        var words = new List<byte[]>(QueryParser.MaxWords);
        if (QueryParser.Tokenize(query, words, Log) <= 0)
        {
            Log.Err("tokenize failed");
            return -Errno.EINVAL;
        }

        if (QueryParser.ParseFlags(words[^1], Letters, Log, out var modifiers) != 0)
        {
            Log.Err("flags parse failed");
            return -Errno.EINVAL;
        }

        if (QueryParser.ParseQuery(words[..^1], modname, Log, out var q) != 0)
        {
            Log.Err("query parse failed");
            return -Errno.EINVAL;
        }

        var nfound = Change(q, modifiers);
        QueryParser.LogQuery(Log, q, nfound != 0 ? "applied" : "no-match");
        return nfound;
    }

    /// <summary>
    /// <c>ddebug_change</c>: every table whose name matches, every site of the query's class (the default class
    /// when the query names none), filtered by file (full path, basename or trimmed path), function, format
    /// (substring, '^' anchors it) and line range; a match counts even when the flags do not change.
    /// </summary>
    private int Change(ControlQuery q, FlagSettings modifiers)
    {
        var nfound = 0;
        foreach (var dt in tables)
        {
            if (q.Module is not null && !KernelText.MatchWildcard(q.Module, dt.ModNameBytes))
            {
                continue;
            }

            int validClass;
            if (q.ClassString is not null)
            {
                if (FindValidClass(dt, q.ClassString) is not { } id)
                {
                    continue;
                }

                validClass = id;
            }
            else
            {
                validClass = DdebugLayout.DefaultClass;
            }

            foreach (var dp in dt.Sites)
            {
                if (dp.ClassId != validClass || !Matches(q, dp))
                {
                    continue;
                }

                nfound++;
                var newFlags = modifiers.Apply(dp.Flags);
                if (newFlags == dp.Flags)
                {
                    continue;
                }

                if (Diet is not null)
                {
                    AlterDietSite(dt, dp, modifiers);
                }
                else if (dp.Key is { } key)
                {
                    // 6.1 toggles on the PRINT bit of the old and new flags ("dyndbg: fix static_branch manipulation").
                    if ((dp.Flags & ControlFlags.Print) != 0)
                    {
                        if ((newFlags & ControlFlags.Print) == 0)
                        {
                            dp.Key = key.Disable(Log);
                        }
                    }
                    else if ((newFlags & ControlFlags.Print) != 0)
                    {
                        dp.Key = key.Enable(Log);
                    }
                }

                var old = dp.Flags;
                Log.Info(4, () => $"changed {ControlFileWriter.TrimPrefix(dp.Record.Filename, TrimPrefix)}:{(int)dp.Record.LineNo} " +
                    $"[{dt.ModName}]{dp.Record.Function} {Letters.Describe(old)} => {Letters.Describe(newFlags)}");
                dp.Flags = newFlags;
            }
        }

        if (nfound == 0)
        {
            Log.Info(1, () => "no matches for query");
        }

        return nfound;
    }

    private bool Matches(ControlQuery q, ControlSite dp)
    {
        // ddebug_match_site (v5 06/28): without a site, a file or func query cannot match (§6.3).
        if (!dp.HasSite && (q.Filename is not null || q.Function is not null))
        {
            return false;
        }

        if (q.Filename is { } file && !KernelText.MatchWildcard(file, dp.Filename) &&
            !KernelText.MatchWildcard(file, KernelText.Basename(dp.Filename)) &&
            !KernelText.MatchWildcard(file, TrimmedFilename(dp)))
        {
            return false;
        }

        if (q.Function is { } func && !KernelText.MatchWildcard(func, dp.Function))
        {
            return false;
        }

        if (q.Format is { } format)
        {
            var fmt = KernelText.CString(format);
            if (fmt.Length > 0 && fmt[0] == '^' ? KernelText.StrStr(dp.Format, fmt[1..]) != 0 : KernelText.StrStr(dp.Format, fmt) < 0)
            {
                return false;
            }
        }

        var line = dp.LineNo;
        return !(q.FirstLineno != 0 && line < q.FirstLineno) && !(q.LastLineno != 0 && line > q.LastLineno);
    }

    private ReadOnlySpan<byte> TrimmedFilename(ControlSite dp) =>
        trimPrefixBytes.Length > 0 && dp.Filename.StartsWith(trimPrefixBytes) ? dp.Filename[trimPrefixBytes.Length..] : dp.Filename;

    /// <summary><c>ddebug_find_valid_class</c>: <c>match_string</c> over each map's names, maps in list order.</summary>
    private static int? FindValidClass(ControlTable dt, byte[] classString)
    {
        var wanted = Encoding.UTF8.GetString(KernelText.CString(classString));
        foreach (var map in dt.Maps)
        {
            for (var idx = 0; idx < map.ClassNames.Count; idx++)
            {
                if (string.Equals(map.ClassNames[idx], wanted, StringComparison.Ordinal))
                {
                    return idx + map.Base;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// v5 <c>ddebug_alter_site</c> (11/28), reached only when the flags change: the 5.13 static-key rule, which
    /// looks at the modifier's p bit rather than the new flags (so <c>+m</c> on a printing site disables its key;
    /// §3.3 last bullet), then, with SITE_CHK only, <c>D</c> drops the site unless it is the header (12/28,
    /// 24/28, 26/28). The header's key is not protected (26/28 says so).
    /// </summary>
    private void AlterDietSite(ControlTable dt, ControlSite dp, FlagSettings modifiers)
    {
        if (dp.Key is { } key)
        {
            if ((dp.Flags & ControlFlags.Print) != 0)
            {
                if ((modifiers.Flags & ControlFlags.Print) == 0)
                {
                    dp.Key = key.Disable(Log);
                }
            }
            else if ((modifiers.Flags & ControlFlags.Print) != 0)
            {
                dp.Key = key.Enable(Log);
            }
        }

        if (Diet == DietVariant.V5 && (modifiers.Flags & ControlFlags.DeleteSite) != 0 && dp.HasSite && !dp.IsDietHeader)
        {
            Log.Info(1, () => $"dropping site info {dp.Record.Filename}.{dp.Record.Function}.{(int)dp.Record.LineNo}");
            dp.HasSite = false;
        }
    }

    /// <summary>
    /// v5 <c>__ddebug_add_module</c> (15/28, 20/28): no table for no descriptors, nor for a header alone; the
    /// header otherwise stays in the table and is counted (§6.10, invariant 22).
    /// </summary>
    private void AddDietModule(DietImage input, string modName, int first, int count)
    {
        var header = first == 0 && input.HeaderAtZero;
        if (count == 0 || (header && count <= 1))
        {
            Log.Info(3, () => header ? $" skip header {modName}" : $" skip {modName}");
            return;
        }

        tables.Insert(0, new ControlTable(input, modName, first, count, header));
        Log.Info(1, () => $"{count,3} debug prints in module {modName}");
    }

    private void AddModule(MainlineImage image, DdebugTable t)
    {
        Log.Info(3, () => $"add-module: {t.ModName}.{t.Count} sites");
        var table = new ControlTable(image, t);
        foreach (var cm in t.Classes)
        {
            Log.Info(2, () => $"class[{cm.Index}]: module:{cm.ModName} base:{cm.Base} len:{cm.ClassNames.Count} ty:{cm.MapType}");
            for (var j = 0; j < cm.ClassNames.Count; j++)
            {
                var k = j;
                Log.Info(3, () => $" {k + cm.Base}: {k} {cm.ClassNames[k]}");
            }
        }

        if (t.Classes.Count > 0)
        {
            Log.Info(1, () => $"module:{t.ModName} attached {t.Classes.Count} classes");
        }

        tables.Add(table);
        Log.Info(1, () => $"{t.Count,3} debug prints in module {t.ModName}");
    }
}
