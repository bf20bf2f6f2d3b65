/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diet builds put include/diet/ first on the include path (build.sh), so the
 * sources' #include "dynamic_debug.h" gets the diet-plan replica.
 */
#include "../dynamic_debug_diet.h"
