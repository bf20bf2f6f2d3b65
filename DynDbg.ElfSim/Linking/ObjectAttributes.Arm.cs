using DynDbg.ElfSim.Elf;

namespace DynDbg.ElfSim.Linking;

/// <summary>
/// The ARM half of the attribute merge, for an input whose attributes differ from the output's: binutils 2.40
/// elf32-arm.c <c>elf32_arm_merge_eabi_attributes</c> for the tags whose rule is a plain combination (checked against
/// arm-linux-gnueabihf-ld.bfd in both orders); a tag with any other rule that differs is refused by name.
/// </summary>
internal sealed partial class ObjectAttributes
{
    /// <summary>"Use the largest value specified": Tag_ARM_ISA_use, Tag_THUMB_ISA_use, Tag_WMMX_arch,
    /// Tag_Advanced_SIMD_arch, Tag_ABI_FP_rounding, _exceptions, _user_exceptions, _number_model,
    /// Tag_CPU_unaligned_access, Tag_FP_HP_extension, Tag_MPextension_use, Tag_MVE_arch, Tag_PAC_extension,
    /// Tag_BTI_extension, Tag_T2EE_use, Tag_BTI_use, Tag_PACRET_use.</summary>
    private static readonly int[] ArmLargest = [8, 9, 11, 12, 19, 21, 22, 23, 34, 36, 42, 48, 50, 52, 66, 74, 76];

    /// <summary>The aeabi tags by name, as readelf -A and the ARM build attributes addenda spell them.</summary>
    private static readonly Dictionary<int, string> ArmTagNames = new()
    {
        [4] = "Tag_CPU_raw_name", [5] = "Tag_CPU_name", [6] = "Tag_CPU_arch", [7] = "Tag_CPU_arch_profile",
        [8] = "Tag_ARM_ISA_use", [9] = "Tag_THUMB_ISA_use", [10] = "Tag_FP_arch", [11] = "Tag_WMMX_arch",
        [12] = "Tag_Advanced_SIMD_arch", [13] = "Tag_PCS_config", [14] = "Tag_ABI_PCS_R9_use",
        [15] = "Tag_ABI_PCS_RW_data", [16] = "Tag_ABI_PCS_RO_data", [17] = "Tag_ABI_PCS_GOT_use",
        [18] = "Tag_ABI_PCS_wchar_t", [19] = "Tag_ABI_FP_rounding", [20] = "Tag_ABI_FP_denormal",
        [21] = "Tag_ABI_FP_exceptions", [22] = "Tag_ABI_FP_user_exceptions", [23] = "Tag_ABI_FP_number_model",
        [24] = "Tag_ABI_align_needed", [25] = "Tag_ABI_align_preserved", [26] = "Tag_ABI_enum_size",
        [27] = "Tag_ABI_HardFP_use", [28] = "Tag_ABI_VFP_args", [29] = "Tag_ABI_WMMX_args",
        [30] = "Tag_ABI_optimization_goals", [31] = "Tag_ABI_FP_optimization_goals", [32] = "Tag_compatibility",
        [34] = "Tag_CPU_unaligned_access", [36] = "Tag_FP_HP_extension", [38] = "Tag_ABI_FP_16bit_format",
        [42] = "Tag_MPextension_use", [44] = "Tag_DIV_use", [46] = "Tag_DSP_extension", [48] = "Tag_MVE_arch",
        [50] = "Tag_PAC_extension", [52] = "Tag_BTI_extension", [64] = "Tag_nodefaults",
        [65] = "Tag_also_compatible_with", [66] = "Tag_T2EE_use", [67] = "Tag_conformance",
        [68] = "Tag_Virtualization_use", [70] = "Tag_MPextension_use_legacy", [74] = "Tag_BTI_use", [76] = "Tag_PACRET_use",
    };

    private void MergeArm(ObjectAttributes input, InputObject f)
    {
        if (!input.Written(1).SequenceEqual(Written(1)))
        {
            throw Refuse(f, ElfMachine.Arm, "its gnu-vendor build attributes differ from the output's");
        }

        for (var tag = 4; tag < KnownTags; tag++)
        {
            var i = input.Get(0, tag);
            var o = Get(0, tag);
            uint iv = i?.Int ?? 0, ov = o?.Int ?? 0;
            if (iv == ov && (i?.Str ?? "") == (o?.Str ?? ""))
            {
                continue;
            }

            switch (tag)
            {
                case var t when ArmLargest.Contains(t):
                    Set(0, new Attribute(tag, IntVal, Math.Max(iv, ov), null));
                    break;

                case 30 or 31: // Tag_ABI_optimization_goals, Tag_ABI_FP_optimization_goals: the first value seen
                    break;

                case 13 or 18: // Tag_PCS_config, Tag_ABI_PCS_wchar_t: an unset output takes the input's (else a warning)
                    if (ov == 0)
                    {
                        Set(0, new Attribute(tag, IntVal, iv, null));
                    }

                    break;

                case 26: // Tag_ABI_enum_size: unused (0) or forced wide (3) take the input's; others differing warn
                    if (iv != 0 && ov is 0 or 3)
                    {
                        Set(0, new Attribute(tag, IntVal, iv, null));
                    }

                    break;

                case 38: // Tag_ABI_FP_16bit_format: an unset output takes it; two formats are an error
                    if (ov == 0)
                    {
                        Set(0, new Attribute(tag, IntVal, iv, null));
                    }
                    else if (iv != 0)
                    {
                        throw Incompatible(f, ElfMachine.Arm,
                            "fp16 format mismatch with the output (elf32_arm_merge_eabi_attributes, Tag_ABI_FP_16bit_format)");
                    }

                    break;

                case 29: // Tag_ABI_WMMX_args: must match
                    throw Incompatible(f, ElfMachine.Arm,
                        "its iWMMXt register-argument use differs from the output's (elf32_arm_merge_eabi_attributes, Tag_ABI_WMMX_args)");

                default:
                    throw Refuse(f, ElfMachine.Arm, $"{TagName(0, tag)} differs from " +
                        "the output's; that tag's rule in elf32_arm_merge_eabi_attributes is not emulated");
            }
        }

        var mine = _vendors[0].Where(a => a.Tag >= KnownTags).OrderBy(a => a.Tag).ToList();
        var theirs = input._vendors[0].Where(a => a.Tag >= KnownTags).OrderBy(a => a.Tag).ToList();
        if (!mine.SequenceEqual(theirs))
        {
            throw Refuse(f, ElfMachine.Arm, "its aeabi tags above 76 differ from the output's; _bfd_elf_merge_unknown_attribute_list " +
                "with elf32_arm_obj_attrs_handle_unknown is not emulated");
        }
    }
}
