/**
 * The long soak of the elastic shard set ({@link io.tidecache.loadtest.soak.ElasticSoak}): random
 * resizes under concurrent clients and scans, with the CI history checker's invariants checked
 * for as long as it runs.
 */
package io.tidecache.loadtest.soak;
