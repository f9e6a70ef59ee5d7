package io.tidecache.engine;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The engine's house rule, enforced by the build: arrows point one way only. The shard set, its
 * shards, routing and rehash ({@code io.tidecache.engine}) use the three lower rooms; the lower
 * rooms (memory leases, tables and their eviction policy, engine threads) use none of the
 * engine's other packages, each other included. A class that breaks it fails this test with the
 * offending dependency named.
 */
class EngineLayersTest {
  private static final JavaClasses ENGINE = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.tidecache.engine");

  @Test
  void lowerLayersNeverReachUp() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("Engine").definedBy("io.tidecache.engine")
        .layer("Memory").definedBy("io.tidecache.engine.memory..")
        .layer("Table").definedBy("io.tidecache.engine.table..")
        .layer("Worker").definedBy("io.tidecache.engine.worker..")
        .whereLayer("Engine").mayNotBeAccessedByAnyLayer()
        .whereLayer("Memory").mayOnlyBeAccessedByLayers("Engine")
        .whereLayer("Table").mayOnlyBeAccessedByLayers("Engine")
        .whereLayer("Worker").mayOnlyBeAccessedByLayers("Engine")
        .check(ENGINE);
  }

  @Test
  void theEngineKnowsNothingOfTheNetworkOrOtherModules() {
    noClasses().should().dependOnClassesThat().resideInAnyPackage("io.tidecache.transport..",
        "io.tidecache.autoscaler..", "io.tidecache.server..", "io.netty..", "io.rsocket..")
        .check(ENGINE);
  }
}
