namespace DynDbg.ElfSim.DynDbg;

/// <summary>How the kernel would consume the table: one loadable module, or the built-in array cut into slices.</summary>
public enum ImageKind
{
    /// <summary>A <c>.ko</c>: one table named by the module (<c>dynamic_debug_setup</c> → <c>ddebug_add_module</c>).</summary>
    Module,

    /// <summary><c>vmlinux</c>, <c>vmlinux.o</c> or a plain object: <c>dynamic_debug_init</c> cuts a table per modname run.</summary>
    BuiltIn,
}
