pub mod plan_gen;
