/* pd-state-cache.c — being written */

#include "config.h"

#include "pd-state-cache.h"
