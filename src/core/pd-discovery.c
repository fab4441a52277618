/* pd-discovery.c — being written */

#include "config.h"

#include "pd-discovery.h"
