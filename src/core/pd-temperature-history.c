/* pd-temperature-history.c — being written */

#include "config.h"

#include "pd-temperature-history.h"
