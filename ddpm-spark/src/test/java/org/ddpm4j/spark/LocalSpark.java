package org.ddpm4j.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one Spark session of this module's tests (starting one costs seconds): two task slots, and a
 * task may fail once and be retried ({@code local[2,2]}: 2 threads, 2 attempts per task).
 */
final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder().master("local[2,2]").appName("ddpm4j-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .getOrCreate();
        }
        return session;
    }
}
