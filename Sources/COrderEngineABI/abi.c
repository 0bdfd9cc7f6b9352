/* Compiles the public header as C99 and lets Swift import it, so OrderEngineC can check at
** build time that its @_cdecl exports have exactly the signatures the header declares. */
#include "orderengine.h"
