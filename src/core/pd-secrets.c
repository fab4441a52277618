/* pd-secrets.c — being written */

#include "config.h"

#include "pd-secrets.h"
