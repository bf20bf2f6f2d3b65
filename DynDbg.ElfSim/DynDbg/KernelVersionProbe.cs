using System.Text;
using System.Text.RegularExpressions;
using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.DynDbg;

/// <summary>
/// The kernel release an image was built for, where the image says so: <c>vermagic=</c> in a module's
/// <c>.modinfo</c>, or the <c>linux_banner</c> string ("Linux version 6.1.0-56-amd64 ...") in vmlinux.
/// </summary>
public sealed record KernelVersionProbe(int Major, int Minor, string Release, string Source)
{
    private static readonly Regex ReleasePattern = new(@"^(\d+)\.(\d+)\S*", RegexOptions.CultureInvariant);

    public bool AtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);

    public DdebugVersion ExpectedLayout =>
        AtLeast(6, 1) ? DdebugVersion.V61 : AtLeast(5, 9) ? DdebugVersion.V59 : DdebugVersion.Pre59;

    public static KernelVersionProbe? Find(ElfFile file)
    {
        var modinfo = file.FindSection(".modinfo");
        if (modinfo is not null && !modinfo.IsNoBits)
        {
            if (ModInfo(file, modinfo, "vermagic") is { } vermagic && Parse(vermagic, ".modinfo vermagic") is { } v)
            {
                return v;
            }
        }

        const string prefix = "Linux version ";
        var banner = LinuxBanner(file);
        return banner is not null && banner.StartsWith(prefix, StringComparison.Ordinal)
            ? Parse(banner[prefix.Length..], "linux_banner")
            : null;
    }

    /// <summary>
    /// The <c>linux_banner</c> string of a vmlinux ("Linux version 6.1.0-56-amd64 (...) #1 SMP ... Debian
    /// 6.1.192-2 (2026-11-16)\n"), which a running kernel prints as /proc/version; null when there is none.
    /// </summary>
    public static string? LinuxBanner(ElfFile file)
    {
        var symtab = file.SymbolTable;
        var banner = symtab?.IndexOf("linux_banner") ?? -1;
        if (symtab is null || banner <= 0 || !symtab[banner].IsInSection)
        {
            return null;
        }

        var sym = symtab[banner];
        var sec = file.Sections[(int)sym.SectionIndex];
        var offset = file.Header.Type == ElfConstants.EtRel ? sym.Value : sym.Value - sec.Address;
        return !sec.IsNoBits && offset < sec.Size
            ? Encoding.UTF8.GetString(file.StringSpan(sec, offset, "symbol 'linux_banner'"))
            : null;
    }

    /// <summary>
    /// The value of the first <c>key=value</c> string in a <c>.modinfo</c> section whose key is <paramref name="key"/>
    /// (the kernel's get_modinfo), or null. Read in place: a module's .modinfo is mostly aliases no caller wants.
    /// </summary>
    public static string? ModInfo(ElfFile file, ElfSection modinfo, string key)
    {
        var data = file.GetContents(modinfo);
        Span<byte> wanted = stackalloc byte[Encoding.UTF8.GetMaxByteCount(key.Length) + 1];
        wanted = wanted[..(Encoding.UTF8.GetBytes(key, wanted) + 1)];
        wanted[^1] = (byte)'=';
        foreach (var range in data.Split((byte)0))
        {
            var item = data[range];
            if (item.StartsWith(wanted))
            {
                return Encoding.UTF8.GetString(item[wanted.Length..]);
            }
        }

        return null;
    }

    /// <summary>
    /// The name in a module's <c>.gnu.linkonce.this_module</c> (struct module's <c>char name[]</c>, after
    /// <c>enum module_state</c> and a list_head: three pointers in), or null when it is missing or empty.
    /// </summary>
    public static string? ThisModuleName(ElfFile file, ElfSection thisModule)
    {
        var data = file.GetContents(thisModule);
        var offset = file.PointerSize * 3;
        if (data.Length <= offset)
        {
            return null;
        }

        var nul = data[offset..].IndexOf((byte)0);
        return nul <= 0 ? null : Encoding.UTF8.GetString(data.Slice(offset, nul));
    }

    private static KernelVersionProbe? Parse(string text, string source)
    {
        // A release whose numbers do not fit an int ("6.2222222222…", found by the AFL++ smoke in CI) is no kernel
        // version: the probe finds nothing, as for no match.
        var m = ReleasePattern.Match(text);
        return m.Success && int.TryParse(m.Groups[1].ValueSpan, out var major) && int.TryParse(m.Groups[2].ValueSpan, out var minor)
            ? new KernelVersionProbe(major, minor, m.Value, source)
            : null;
    }
}
