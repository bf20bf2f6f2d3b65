using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace DynDbg.ElfSim.Cli;

/// <summary>
/// Two or three examples per command, shown at the end of its <c>--help</c> and in the man page, so the help
/// answers "what do I type" and not only "what is there". Paths are the repository's samples where one fits, so
/// each can be tried as it is from a checkout.
/// </summary>
public static class CommandExamples
{
    private const string Diet5 = "samples/objs/x86_64/diet/v5";
    private const string X86 = "samples/objs/x86_64";

    private static readonly Dictionary<string, (string Line, string What)[]> ByCommand = new(StringComparer.Ordinal)
    {
        ["load"] =
        [
            ($"load {Diet5}/alpha_main.o {Diet5}/alpha_util.o", "link two diet objects as ld -r would, load them, check the result"),
            ($"load --control {X86}/vmlinux.o", "the /proc/dynamic_debug/control a kernel built from it would show"),
            ("load --sections --base 0xffffffffc0a00000 bnep.ko", "where the 6.1 module loader puts every section of a real module"),
        ],
        ["check"] =
        [
            ($"check {X86}/diet", "every diet-plan invariant of every ELF file in a tree"),
            ("check --failures-only --format junit /lib/modules/6.1.0-56-amd64 > check.xml", "a JUnit report of the failures, for CI"),
            ("check --format json build/ | jq '.[-1]'", "the summary element: files, passed, failed, findings by ID"),
        ],
        ["control"] =
        [
            ($"control {X86}/vmlinux.o 'module beta +p'", "the control file after one write"),
            ($"control --changed --steps {X86}/vmlinux.o 'module beta +pf' 'file alpha_util.c =_'", "only the lines each write changed"),
            ($"control --format json {X86}/vmlinux.o | jq '.controlRecords[0]'", "the control file as records"),
        ],
        ["compress"] =
        [
            ($"compress {X86}/vmlinux.o", "sizes, ratios and Get cost of every site store"),
            ("compress --total --format csv /lib/modules/6.1.0-56-amd64", "one line summing a whole module tree"),
            ($"compress --levels {X86}/vmlinux.o", "the zstd stores' sizes at every level 1-22"),
        ],
        ["zram"] =
        [
            ($"zram {X86}/vmlinux.o", "the 2020 plan: zs_pool copy, zram per algorithm, odd pointers, the map/unmap cache"),
            ("zram --total --format json /lib/modules/6.1.0-56-amd64 | jq '.zram'", "a whole module tree as one kernel: mm_stat per algorithm"),
            ($"zram -q 'module alpha +p' --hits 1000000 --no-zram {X86}/vmlinux.o", "the cache after one control write, a million pr_debug calls"),
        ],
        ["link"] =
        [
            ($"link -T module.lds -o alpha.ko -Map alpha.map {Diet5}/alpha_main.o {Diet5}/alpha_util.o", "ld -r -T module.lds, with a GNU-style map"),
            ($"link -T module.lds --linkonce lld -o alpha-lld.ko {Diet5}/alpha_main.o {Diet5}/alpha_util.o", "what lld's linkonce rule makes of the same inputs"),
            ($"link -T module.lds -o alpha.ko --format json {Diet5}/alpha_main.o {Diet5}/alpha_util.o", "sections, their inputs, symbols and relocations as JSON"),
        ],
        ["explain"] =
        [
            ($"explain -T module.lds {Diet5}/alpha_main.o {Diet5}/alpha_util.o", "where each input section went and which script line put it there"),
            ($"explain -T module.lds --format html -o explain.html {Diet5}/alpha_main.o {Diet5}/alpha_util.o", "the same as a page"),
        ],
        ["report"] =
        [
            ($"report -o alpha.html {Diet5}/alpha_main.o {Diet5}/alpha_util.o", "layout, load, diet indirection and compression on one page"),
            ($"report -T module.lds --vs-script module-6.1.lds -o vs.html {Diet5}/alpha_main.o {Diet5}/alpha_util.o", "before/after: the diet script against 6.1's"),
        ],
        ["diet"] =
        [
            ($"diet {X86}/gamma.ko -o gamma-diet", "the objects a diet-patched build would have produced"),
            ($"diet --diet v6 --link {X86}/vmlinux.o -o vmlinux-diet", "the same for v6, linked and checked"),
        ],
        ["synth"] =
        [
            ("synth -o tree --modules 100 --callsites 5000", "a seeded module tree of 100 modules"),
            ("synth -o bad --fault header-behind", "diet objects with one named fault, for check to find"),
        ],
        ["completion"] =
        [
            ("completion bash > ~/.local/share/bash-completion/completions/dyndbg-elfsim", "install bash completion"),
            ("completion fish > ~/.config/fish/completions/dyndbg-elfsim.fish", "install fish completion"),
        ],
        ["manpage"] =
        [
            ("manpage | man -l -", "read the manual page"),
            ("manpage > ~/.local/share/man/man1/dyndbg-elfsim.1", "install it for man dyndbg-elfsim"),
        ],
    };

    /// <summary>The command's examples, each a command line after the program name and what it does.</summary>
    public static IReadOnlyList<(string Line, string What)> For(string command) => ByCommand.TryGetValue(command, out var e) ? e : [];

    /// <summary>Has every command's <c>--help</c> end with its examples, after the sections the parser writes.</summary>
    public static void AddToHelp(RootCommand root)
    {
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            if (help.Action is HelpAction standard)
            {
                help.Action = new WithExamples(standard);
            }
        }
    }

    private sealed class WithExamples(HelpAction standard) : SynchronousCommandLineAction
    {
        // As the standard help: `check --help` is help, not a missing PATH.
        public override bool ClearsParseErrors => standard.ClearsParseErrors;

        public override int Invoke(ParseResult parseResult)
        {
            var code = standard.Invoke(parseResult);
            var examples = For(parseResult.CommandResult.Command.Name);
            if (examples.Count > 0)
            {
                var w = parseResult.InvocationConfiguration.Output;
                w.WriteLine("Examples:");
                foreach (var (line, what) in examples)
                {
                    w.WriteLine($"  {Program.Name} {line}");
                    w.WriteLine($"      {what}");
                }

                w.WriteLine();
            }

            return code;
        }
    }
}
