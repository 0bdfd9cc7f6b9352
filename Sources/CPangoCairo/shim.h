/* Debian's cairo (PDF surface, PNG images) and pango (text layout through cairo). */
#include <cairo/cairo.h>
#include <cairo/cairo-pdf.h>
#include <pango/pangocairo.h>
