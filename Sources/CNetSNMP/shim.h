#ifndef TRAPMUX_CNETSNMP_SHIM_H
#define TRAPMUX_CNETSNMP_SHIM_H

/* net-snmp-config.h defines _GNU_SOURCE. Pulling in the system headers first fixes the
   layout of fd_set and friends before that define, so this module and Foundation agree
   on them in a clean debug build. */
#include <features.h>
#include <sys/types.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#endif
