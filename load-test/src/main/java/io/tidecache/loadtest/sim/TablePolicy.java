package io.tidecache.loadtest.sim;

import io.tidecache.engine.Engine;
import io.tidecache.engine.table.KeyHash;
import io.tidecache.engine.table.ReadBuffer;
import io.tidecache.engine.table.ShardTable;
import io.tidecache.engine.table.TableLayout;
import java.lang.foreign.Arena;

/**
 * Not thread-safe (one replaying thread): tidecache's eviction policy replayed deterministically,
 * one {@link ShardTable} (the table of one shard, the same layout and policy the engine uses)
 * driven directly on the replaying thread, as its engine thread would drive it with nothing else
 * to do.
 *
 * <p>An access is the readers' optimistic {@link ShardTable#read}, whose hit is recorded in a
 * {@link ReadBuffer}; the buffer is drained into the table ({@link ShardTable#touch}) before the
 * next operation, and on a miss the key is {@link ShardTable#put} (admission included). So the
 * policy sees every access, in the trace's order, and two replays of a trace give the same hit
 * rate to the last request. What it leaves out is the engine's lossy read path: there a hit's
 * record waits in the buffer until the engine thread gets to it, and may be dropped when the
 * buffer is full ({@link EnginePolicy} replays through that path).
 *
 * <p>Capacity: the entries rounded down to whole 16-way buckets, as {@link
 * Engine#shardBytesFor} sizes a shard. Keys are the trace's integers as 8 big-endian bytes,
 * values one byte; the table lives in a confined arena freed by {@link #close}.
 */
final class TablePolicy implements ReplayPolicy {
  static final int KEY_BYTES = Long.BYTES;
  static final int VALUE_BYTES = 1;
  private static final byte[] VALUE = {1};
  private static final long NOW = 1;

  private final Arena arena = Arena.ofConfined();
  private final ShardTable table;
  private final ReadBuffer reads = new ReadBuffer(() -> {});
  private final byte[] key = new byte[KEY_BYTES];
  private long refusals;

  TablePolicy(int entries) {
    long bytes = Engine.shardBytesFor(entries, KEY_BYTES, VALUE_BYTES);
    TableLayout layout = new TableLayout(KEY_BYTES, VALUE_BYTES, bytes);
    this.table = new ShardTable(arena.allocate(bytes, 64), layout);
  }

  @Override
  public String name() {
    return "tidecache";
  }

  @Override
  public long capacity() {
    return table.layout.capacity();
  }

  @Override
  public boolean access(long k) {
    for (int i = KEY_BYTES - 1; i >= 0; i--) {
      key[i] = (byte) k;
      k >>>= 8;
    }
    long hash = KeyHash.hash(key);
    boolean hit = table.read(key, hash, NOW, reads) != null;
    reads.drainTo(table::touch);
    if (!hit && !table.put(key, hash, VALUE, 0, NOW, true)) {
      refusals++;
    }
    return hit;
  }

  @Override
  public String counters() {
    table.publish();
    return String.format("entries %,d / %,d, evictions %,d (admission refusals %,d, of new keys "
        + "%,d)", table.entries(), capacity(), table.evictions(), table.rejections(), refusals);
  }

  @Override
  public void close() {
    arena.close();
  }
}
