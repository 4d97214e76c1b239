#ifndef CCURLSHIM_H
#define CCURLSHIM_H
#include <curl/curl.h>
// Non-variadic wrappers: Swift cannot call libcurl's variadic curl_easy_setopt directly.
CURLcode fal_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode fal_curl_setopt_ptr(CURL *handle, CURLoption option, void *value);
CURLcode fal_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
#endif
