// libcurl through dlopen and dlsym: see include/CCurl.h for why.
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include "CCurl.h"

/// The library's soname: the ABI of libcurl 7.16 and every later release (Debian: libcurl4).
static const char library_name[] = "libcurl.so.4";

/// The functions used, resolved by load().
static struct {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *handle);
    void (*easy_reset)(CURL *handle);
    CURLcode (*easy_setopt)(CURL *handle, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *handle);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *line);
    void (*slist_free_all)(struct curl_slist *list);
} api;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;
/// Why libcurl cannot be used; empty when it can.
static char failure[600];

/// Resolves `name` into `*slot`; 0 (and `failure` set) when the library lacks it.
static int resolve(void *library, void **slot, const char *name) {
    *slot = dlsym(library, name);
    if (*slot == NULL) snprintf(failure, sizeof failure, "%s has no function %s", library_name, name);
    return *slot != NULL;
}

static void load(void) {
    void *library = dlopen(library_name, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(failure, sizeof failure, "%s", reason != NULL ? reason : library_name);
        return;
    }
    // Function pointers are stored through (void **), as POSIX's own dlsym example does.
    if (!resolve(library, (void **)&api.global_init, "curl_global_init")
        || !resolve(library, (void **)&api.easy_init, "curl_easy_init")
        || !resolve(library, (void **)&api.easy_cleanup, "curl_easy_cleanup")
        || !resolve(library, (void **)&api.easy_reset, "curl_easy_reset")
        || !resolve(library, (void **)&api.easy_setopt, "curl_easy_setopt")
        || !resolve(library, (void **)&api.easy_perform, "curl_easy_perform")
        || !resolve(library, (void **)&api.easy_strerror, "curl_easy_strerror")
        || !resolve(library, (void **)&api.slist_append, "curl_slist_append")
        || !resolve(library, (void **)&api.slist_free_all, "curl_slist_free_all")) {
        return;
    }
    CURLcode code = api.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) snprintf(failure, sizeof failure, "curl_global_init failed: %s", api.easy_strerror(code));
}

const char *mifa_curl_load(void) {
    pthread_once(&loaded, load);
    return failure[0] != 0 ? failure : NULL;
}

CURL *mifa_curl_easy_init(void) { return api.easy_init(); }
void mifa_curl_easy_cleanup(CURL *handle) { api.easy_cleanup(handle); }
void mifa_curl_easy_reset(CURL *handle) { api.easy_reset(handle); }
CURLcode mifa_curl_easy_perform(CURL *handle) { return api.easy_perform(handle); }
const char *mifa_curl_easy_strerror(CURLcode code) { return api.easy_strerror(code); }
struct curl_slist *mifa_curl_slist_append(struct curl_slist *list, const char *line) { return api.slist_append(list, line); }
void mifa_curl_slist_free_all(struct curl_slist *list) { api.slist_free_all(list); }

CURLcode mifa_curl_set_long(CURL *handle, CURLoption option, long value) {
    return api.easy_setopt(handle, option, value);
}

CURLcode mifa_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return api.easy_setopt(handle, option, value);
}

CURLcode mifa_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return api.easy_setopt(handle, option, value);
}

CURLcode mifa_curl_set_pointer(CURL *handle, CURLoption option, const void *value) {
    return api.easy_setopt(handle, option, value);
}

CURLcode mifa_curl_set_write_callback(CURL *handle, CURLoption option, curl_write_callback callback) {
    return api.easy_setopt(handle, option, callback);
}

CURLcode mifa_curl_set_xferinfo_callback(CURL *handle, curl_xferinfo_callback callback) {
    return api.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
