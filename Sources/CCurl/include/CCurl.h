// libcurl for Sources/Zarr/Storage/CurlEasy.swift (the only caller), loaded on first use.
//
// mifa does not link libcurl: a linked libcurl makes every run of every command map about 35
// shared libraries (GnuTLS, OpenSSL, Kerberos, LDAP, SSH, HTTP/2, IDN, ...) that only HTTP and S3
// stores use, ~4.4 ms of CPU at each process start. mifa_curl_load() opens libcurl.so.4 with
// dlopen the first time a store needs it and resolves the functions below through dlsym. Only
// the types and constants of <curl/curl.h> (libcurl4-openssl-dev) are used at build time.
//
// curl_easy_setopt is variadic, which Swift cannot call: one typed wrapper per kind of argument.
#ifndef MIFAKIT_CCURL_H
#define MIFAKIT_CCURL_H

#include <curl/curl.h>

/// Loads libcurl.so.4 and runs curl_global_init(CURL_GLOBAL_DEFAULT), once per process (later
/// calls return the first call's answer; safe from any thread). NULL when libcurl is ready, else
/// why not (dlerror's message, a missing function, or curl_global_init's failure), a string that
/// lives as long as the process. Every other function here may be called only after it returned NULL.
const char *mifa_curl_load(void);

/// curl_easy_init.
CURL *mifa_curl_easy_init(void);
/// curl_easy_cleanup.
void mifa_curl_easy_cleanup(CURL *handle);
/// curl_easy_reset.
void mifa_curl_easy_reset(CURL *handle);
/// curl_easy_perform.
CURLcode mifa_curl_easy_perform(CURL *handle);
/// curl_easy_strerror.
const char *mifa_curl_easy_strerror(CURLcode code);
/// curl_slist_append.
struct curl_slist *mifa_curl_slist_append(struct curl_slist *list, const char *line);
/// curl_slist_free_all.
void mifa_curl_slist_free_all(struct curl_slist *list);

/// curl_easy_setopt with a long.
CURLcode mifa_curl_set_long(CURL *handle, CURLoption option, long value);
/// curl_easy_setopt with a curl_off_t.
CURLcode mifa_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value);
/// curl_easy_setopt with a string (libcurl copies it).
CURLcode mifa_curl_set_string(CURL *handle, CURLoption option, const char *value);
/// curl_easy_setopt with a list, buffer or callback data.
CURLcode mifa_curl_set_pointer(CURL *handle, CURLoption option, const void *value);
/// curl_easy_setopt with CURLOPT_WRITEFUNCTION or CURLOPT_HEADERFUNCTION.
CURLcode mifa_curl_set_write_callback(CURL *handle, CURLoption option, curl_write_callback callback);
/// curl_easy_setopt with CURLOPT_XFERINFOFUNCTION.
CURLcode mifa_curl_set_xferinfo_callback(CURL *handle, curl_xferinfo_callback callback);

#endif
