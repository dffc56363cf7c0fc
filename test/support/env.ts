/** Per-worker test environment. Lambda runs Node 22; the machine runs Node 20, so the SDK's version notice is noise here. */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
