/* Debian's libcurl (libcurl4-openssl-dev), used only through the CSMTP shim. */
#include <curl/curl.h>
