/* pd-printer-config.c — being written */

#include "config.h"

#include "pd-printer-config.h"
