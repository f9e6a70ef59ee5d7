package io.tidecache.spring;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Thread-safe: the {@code @Cacheable} methods under test; every call that reaches a method body
 * counts, so a test tells a hit (no count) from a miss (one count).
 */
public class BookService {
  private final AtomicInteger calls = new AtomicInteger();

  /** Calls that reached a method body (a getter: the bean is a proxy, its fields are not). */
  public int calls() {
    return calls.get();
  }

  @Cacheable("books")
  public Book plain(String isbn) {
    calls.incrementAndGet();
    return Book.of(isbn);
  }

  @Cacheable("books")
  public Book plainNull(String isbn) {
    calls.incrementAndGet();
    return null;
  }

  @Cacheable("books")
  public Mono<Book> mono(String isbn) {
    return Mono.fromSupplier(() -> {
      calls.incrementAndGet();
      return Book.of(isbn);
    });
  }

  /** Emits on a parallel (non-blocking) thread, as a reactive repository would. */
  @Cacheable("books")
  public Mono<Book> monoElsewhere(String isbn) {
    return mono(isbn).publishOn(Schedulers.parallel());
  }

  @Cacheable("books")
  public Mono<Book> monoEmpty(String isbn) {
    return Mono.fromRunnable(calls::incrementAndGet);
  }

  @Cacheable(cacheNames = "books", sync = true)
  public Mono<Book> monoSync(String isbn) {
    return mono(isbn);
  }

  @Cacheable("shelves")
  public Flux<Book> shelf(String shelf) {
    return Flux.defer(() -> {
      calls.incrementAndGet();
      return Flux.just(Book.of(shelf + "-1"), Book.of(shelf + "-2"), Book.of(shelf + "-3"));
    });
  }

  @Cacheable("books")
  public CompletableFuture<Book> future(String isbn) {
    calls.incrementAndGet();
    return CompletableFuture.supplyAsync(() -> Book.of(isbn));
  }

  @Cacheable(cacheNames = "books", sync = true)
  public CompletableFuture<Book> futureSync(String isbn) {
    return future(isbn);
  }

  @CacheEvict("books")
  public void evict(String isbn) {
  }

  @CacheEvict(cacheNames = "books", allEntries = true)
  public void evictAll() {
  }
}
