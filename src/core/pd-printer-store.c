/* pd-printer-store.c — being written */

#include "config.h"

#include "pd-printer-store.h"
