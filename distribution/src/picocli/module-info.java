/**
 * picocli, recompiled from its sources jar at package time for the image (distribution/pom.xml): the published jar
 * is Java 5 bytecode, which class data sharing and the AOT cache skip, so it was parsed and linked at every start.
 * Same module name, requirements and exports as the published jar's descriptor.
 */
module info.picocli {
    requires static java.sql;
    exports picocli;
}
