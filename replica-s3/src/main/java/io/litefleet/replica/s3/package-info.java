/** The s3 replica backend (arrives with the backend issue; the module is wired into the build now). */
package io.litefleet.replica.s3;
