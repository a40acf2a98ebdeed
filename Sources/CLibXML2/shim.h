#ifndef INGESTKIT_CLIBXML2_SHIM_H
#define INGESTKIT_CLIBXML2_SHIM_H

// libxml2's headers pull in the system ICU when LIBXML_ICU_ENABLED is set; that
// clashes with Foundation's bundled ICU in one Swift module, and the HTML code
// needs none of it.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

// `xmlFree` is a mutable C global (a function pointer) that Swift 6 refuses to touch.
static inline void ingestkit_xml_free(void *pointer) { xmlFree(pointer); }

// Silences libxml2's messages on stderr (a malformed page or XPath is reported by the caller).
static void ingestkit_xml_silent(void *context, const char *message, ...) { (void)context; (void)message; }
static inline void ingestkit_xml_silence(void) {
    xmlSetGenericErrorFunc(NULL, ingestkit_xml_silent);
}

#endif
