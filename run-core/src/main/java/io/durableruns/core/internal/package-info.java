/** Implementation details of the engine. Not a public API: it may change in any release. */
package io.durableruns.core.internal;
