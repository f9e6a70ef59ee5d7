/** Option parsing shared by the load-test commands. */
package io.tidecache.loadtest.cli;
