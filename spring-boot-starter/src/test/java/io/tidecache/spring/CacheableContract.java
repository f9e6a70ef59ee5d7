package io.tidecache.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.cache.CacheManager;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Not thread-safe (JUnit's thread): {@code @Cacheable}, {@code @CacheEvict} and the async cache
 * retrieval of Spring through the starter's {@link TideCacheManager}, bound once to each place the
 * caches can live (embedded, a server over TCP). Each test counts the calls that reach the method
 * body: a miss adds one, a hit none. Puts made by reactive methods are sent without waiting (they
 * happen on engine or event-loop threads), so a test waits until the entry is there before it
 * expects a hit.
 */
abstract class CacheableContract {
  static final Duration WAIT = Duration.ofSeconds(20);

  /** The starter's two auto-configurations, for a context runner. */
  static ApplicationContextRunner starter() {
    return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(
        TideCacheAutoConfiguration.class, TideCacheCacheAutoConfiguration.class));
  }

  /** A runner whose properties point at this binding's tidecache, with caching enabled. */
  abstract ApplicationContextRunner runner();

  /** Keys unique to this binding (a server outlives a test). */
  abstract String prefix();

  @Configuration(proxyBeanMethods = false)
  @EnableCaching
  static class Books {
    @Bean
    BookService bookService() {
      return new BookService();
    }
  }

  ApplicationContextRunner books() {
    return runner().withUserConfiguration(Books.class)
        .withPropertyValues("tidecache.cache.json.trusted-packages=io.tidecache.spring");
  }

  /** Runs {@code test} in a started context that has the book service. */
  void withBooks(ContextConsumer<AssertableApplicationContext> test) {
    books().run(ctx -> {
      assertThat(ctx).hasNotFailed();
      test.accept(ctx);
    });
  }

  @Test
  void aPlainMethodMissesThenHitsAndAnEvictMakesItMissAgain() {
    withBooks(ctx -> {
      BookService books = ctx.getBean(BookService.class);
      String isbn = prefix() + "plain";
      assertThat(books.plain(isbn)).isEqualTo(Book.of(isbn));
      assertThat(books.plain(isbn)).isEqualTo(Book.of(isbn));
      assertThat(books.calls()).isEqualTo(1);
      books.evict(isbn);
      assertThat(books.plain(isbn)).isEqualTo(Book.of(isbn));
      assertThat(books.calls()).isEqualTo(2);
    });
  }

  @Test
  void aNullResultIsCached() {
    withBooks(ctx -> {
      BookService books = ctx.getBean(BookService.class);
      String isbn = prefix() + "null";
      assertThat(books.plainNull(isbn)).isNull();
      assertThat(books.plainNull(isbn)).isNull();
      assertThat(books.calls()).isEqualTo(1);
    });
  }

  @Test
  void aMonoMissesThenHits() {
    withBooks(ctx -> {
      BookService books = ctx.getBean(BookService.class);
      String isbn = prefix() + "mono";
      assertThat(books.mono(isbn).block(WAIT)).isEqualTo(Book.of(isbn));
      awaitCached(ctx, "books", isbn);
      assertThat(books.mono(isbn).block(WAIT)).isEqualTo(Book.of(isbn));
      assertThat(books.calls()).isEqualTo(1);
      books.evict(isbn);
      assertThat(books.mono(isbn).block(WAIT)).isEqualTo(Book.of(isbn));
      assertThat(books.calls()).isEqualTo(2);
    });
  }

  @Test
  void aMonoThatEmitsOnANonBlockingThreadIsCachedWithoutBlockingIt() {
    withBooks(ctx -> {
      BookService books = ctx.getBean(BookService.class);
      String isbn = prefix() + "elsewhere";
      // BlockHound fails this if the put waited on the parallel thread.
      assertThat(books.monoElsewhere(isbn).block(WAIT)).isEqualTo(Book.of(isbn));
      awaitCached(ctx, "books", isbn);
      assertThat(books.monoElsewhere(isbn).block(WAIT)).isEqualTo(Book.of(isbn));
      assertThat(books.calls()).isEqualTo(1);
      TideSpringCache cache = (TideSpringCache) ctx.getBean(CacheManager.class).getCache("books");
      assertThat(cache.asyncWriteFailures()).isZero();
    });
  }

  @Test
  void anEmptyMonoIsCachedAsEmpty() {
    withBooks(ctx -> {
      BookService books = ctx.getBean(BookService.class);
      String isbn = prefix() + "empty";
      assertThat(books.monoEmpty(isbn).block(WAIT)).isNull();
      awaitCached(ctx, "books", isbn);
      assertThat(books.monoEmpty(isbn).hasElement().block(WAIT)).isFalse();
      assertThat(books.calls()).isEqualTo(1);
    });
  }

  @Test
  void aSynchronizedMonoLoadsOnceAndHits() {
    withBooks(ctx -> {
      BookService books = ctx.getBean(BookService.class);
      String isbn = prefix() + "mono-sync";
      assertThat(books.monoSync(isbn).block(WAIT)).isEqualTo(Book.of(isbn));
      // sync: the value is handed out once it is stored
      assertThat(ctx.getBean(CacheManager.class).getCache("books").get(isbn)).isNotNull();
      assertThat(books.monoSync(isbn).block(WAIT)).isEqualTo(Book.of(isbn));
      assertThat(books.calls()).isEqualTo(1);
    });
  }

  @Test
  void aFluxIsCachedAsItsListOfBooks() {
    withBooks(ctx -> {
      BookService books = ctx.getBean(BookService.class);
      String shelf = prefix() + "shelf";
      List<Book> first = books.shelf(shelf).collectList().block(WAIT);
      assertThat(first).hasSize(3).first().isEqualTo(Book.of(shelf + "-1"));
      awaitCached(ctx, "shelves", shelf);
      assertThat(books.shelf(shelf).collectList().block(WAIT)).isEqualTo(first);
      assertThat(books.calls()).isEqualTo(1);
    });
  }

  @Test
  void aCompletableFutureMissesThenHits() {
    withBooks(ctx -> {
      BookService books = ctx.getBean(BookService.class);
      String isbn = prefix() + "future";
      assertThat(books.future(isbn).get()).isEqualTo(Book.of(isbn));
      awaitCached(ctx, "books", isbn);
      assertThat(books.future(isbn).get()).isEqualTo(Book.of(isbn));
      assertThat(books.calls()).isEqualTo(1);
      assertThat(books.futureSync(prefix() + "future-sync").get())
          .isEqualTo(Book.of(prefix() + "future-sync"));
      assertThat(books.futureSync(prefix() + "future-sync").get())
          .isEqualTo(Book.of(prefix() + "future-sync"));
      assertThat(books.calls()).isEqualTo(2);
    });
  }

  @Test
  void evictingAllEntriesEmptiesTheCache() {
    withBooks(ctx -> {
      BookService books = ctx.getBean(BookService.class);
      String isbn = prefix() + "all";
      books.plain(isbn + "-a");
      books.plain(isbn + "-b");
      books.evictAll();
      books.plain(isbn + "-a");
      books.plain(isbn + "-b");
      assertThat(books.calls()).isEqualTo(4);
    });
  }

  static void awaitCached(ApplicationContext ctx, String cache, String key) {
    CacheManager manager = ctx.getBean(CacheManager.class);
    await("'" + key + "' in cache '" + cache + "'",
        () -> manager.getCache(cache).get(key) != null);
  }

  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(1_000_000);
    }
  }
}
