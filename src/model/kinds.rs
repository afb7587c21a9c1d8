//! Column kinds: for each kind of normalized column, its Arrow type, the builder that collects it,
//! how the builder finishes into an array, and the typed view the detectors read it back through.
//!
//! [`super::columns`] names one builder type per column; everything else about the column (its
//! schema field, its place in the finished batch, its field in [`super::view::Rows`]) follows from
//! the [`ColumnKind`] of that type. Plain kinds are arrow-rs's typed builders
//! (`StringDictionaryBuilder`, `StringBuilder`, `BooleanBuilder`, primitive builders); the others
//! are the few columns the builder fills in a way of its own (timestamps resolved after the file's
//! day/month decision, runs of source files and formats, rebased ordinals, lists of structs).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Float64Builder, Int32Builder, StringBuilder, StringDictionaryBuilder, UInt32Builder};
use arrow_array::cast::AsArray;
use arrow_array::types::{ArrowPrimitiveType, Float64Type, Int32Type, TimestampMicrosecondType, UInt32Type, UInt64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Int32Array, ListArray, PrimitiveArray, StringArray, StructArray,
    TimestampMicrosecondArray, UInt64Array,
};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{ArrowError, DataType};

use super::schema::{self, auth_step_fields, ca_policy_fields};
use super::signin::{AuthStep, CaPolicy, is_empty_value};

/// `Dictionary(Int32, Utf8)` builder: repeating strings.
pub type Dict = StringDictionaryBuilder<Int32Type>;

/// What a column's builder type says about the column.
pub trait ColumnKind: Default {
    /// How [`super::view::Rows`] reads the column back.
    type View<'a>;
    /// The column's Arrow type.
    fn data_type() -> DataType;
    /// The finished array of `rows` rows (the builder is left empty).
    fn finish(&mut self, rows: usize) -> Result<ArrayRef, ArrowError>;
    /// The typed view of a finished array of this kind.
    fn view(a: &ArrayRef) -> Result<Self::View<'_>, ArrowError>;
}

/// A builder that takes one optional value per row (the columns fed straight from a record field).
pub trait Append<V> {
    fn append(&mut self, v: Option<V>);
}

/// A view of a column of another type than its kind's is an error, never a panic (a dataset
/// read back is checked against the schema, but a view must not rely on it). Downcasts only: cheap
/// enough for a view per user.
fn expect<T>(a: &ArrayRef, v: Option<T>) -> Result<T, ArrowError> {
    v.ok_or_else(|| ArrowError::SchemaError(format!("unexpected column type {}", a.data_type())))
}

// ---- views ----

/// A dictionary-encoded string column.
#[derive(Clone, Copy)]
pub struct DictCol<'a> {
    keys: &'a PrimitiveArray<Int32Type>,
    values: &'a StringArray,
}

impl<'a> DictCol<'a> {
    fn of(a: &'a ArrayRef) -> Result<Self, ArrowError> {
        let d: &DictionaryArray<Int32Type> = expect(a, a.as_dictionary_opt::<Int32Type>())?;
        Ok(DictCol { keys: d.keys(), values: expect(a, d.values().as_string_opt::<i32>())? })
    }

    pub fn get(&self, i: usize) -> Option<&'a str> {
        if self.keys.is_null(i) { None } else { Some(self.values.value(self.keys.value(i) as usize)) }
    }

    /// The dictionary index of row `i`'s value: equal values of one batch share it, so a pass over
    /// many rows can count or cache per distinct value without hashing strings.
    pub fn key(&self, i: usize) -> Option<usize> {
        if self.keys.is_null(i) { None } else { Some(self.keys.value(i) as usize) }
    }

    /// The number of distinct dictionary values (the bound of [`DictCol::key`]).
    pub fn values_len(&self) -> usize {
        self.values.len()
    }

    /// The value at dictionary index `k` (from [`DictCol::key`]).
    pub fn value(&self, k: usize) -> &'a str {
        self.values.value(k)
    }
}

/// A plain string column.
#[derive(Clone, Copy)]
pub struct TextCol<'a>(&'a StringArray);

impl<'a> TextCol<'a> {
    pub fn get(&self, i: usize) -> Option<&'a str> {
        if self.0.is_null(i) { None } else { Some(self.0.value(i)) }
    }
}

/// A boolean column.
#[derive(Clone, Copy)]
pub struct BoolCol<'a>(&'a BooleanArray);

impl BoolCol<'_> {
    pub fn get(&self, i: usize) -> Option<bool> {
        if self.0.is_null(i) { None } else { Some(self.0.value(i)) }
    }
}

/// A primitive (number) column.
pub struct PrimCol<'a, T: ArrowPrimitiveType>(&'a PrimitiveArray<T>);

impl<T: ArrowPrimitiveType> Clone for PrimCol<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: ArrowPrimitiveType> Copy for PrimCol<'_, T> {}

impl<T: ArrowPrimitiveType> PrimCol<'_, T> {
    pub fn get(&self, i: usize) -> Option<T::Native> {
        if self.0.is_null(i) { None } else { Some(self.0.value(i)) }
    }
}

/// One `authenticationDetails` step as the detectors read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step<'a> {
    pub method: Option<&'a str>,
    pub succeeded: Option<bool>,
    pub result_detail: Option<&'a str>,
    pub requirement: Option<&'a str>,
}

/// The `auth_details` list column.
#[derive(Clone, Copy)]
pub struct StepsCol<'a> {
    list: &'a ListArray,
    method: DictCol<'a>,
    succeeded: BoolCol<'a>,
    result: DictCol<'a>,
    requirement: DictCol<'a>,
}

impl<'a> StepsCol<'a> {
    /// The steps of row `i`.
    pub fn get(&self, i: usize) -> impl Iterator<Item = Step<'a>> + '_ {
        list_range(self.list, i).map(move |j| Step {
            method: self.method.get(j),
            succeeded: self.succeeded.get(j),
            result_detail: self.result.get(j),
            requirement: self.requirement.get(j),
        })
    }
}

/// A list column read as its raw [`ListArray`] (`ca_policies`: no detector reads it yet).
#[derive(Clone, Copy)]
pub struct ListCol<'a>(pub &'a ListArray);

/// A list-of-dictionary-strings column (`risk_event_types`).
#[derive(Clone, Copy)]
pub struct StringsCol<'a> {
    list: &'a ListArray,
    values: DictCol<'a>,
}

impl<'a> StringsCol<'a> {
    /// The strings of row `i`.
    pub fn get(&self, i: usize) -> impl Iterator<Item = &'a str> + '_ {
        list_range(self.list, i).filter_map(move |j| self.values.get(j))
    }
}

fn list_range(list: &ListArray, i: usize) -> std::ops::Range<usize> {
    if list.is_null(i) {
        0..0
    } else {
        let o = list.value_offsets();
        o[i] as usize..o[i + 1] as usize
    }
}

// ---- arrow-rs builders as kinds ----

impl ColumnKind for Dict {
    type View<'a> = DictCol<'a>;
    fn data_type() -> DataType {
        schema::dict()
    }
    fn finish(&mut self, _rows: usize) -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(Dict::finish(self)))
    }
    fn view(a: &ArrayRef) -> Result<DictCol<'_>, ArrowError> {
        DictCol::of(a)
    }
}

impl<S: AsRef<str>> Append<S> for Dict {
    fn append(&mut self, v: Option<S>) {
        self.append_option(v.as_ref().map(AsRef::as_ref));
    }
}

impl ColumnKind for StringBuilder {
    type View<'a> = TextCol<'a>;
    fn data_type() -> DataType {
        DataType::Utf8
    }
    fn finish(&mut self, _rows: usize) -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(StringBuilder::finish(self)))
    }
    fn view(a: &ArrayRef) -> Result<TextCol<'_>, ArrowError> {
        Ok(TextCol(expect(a, a.as_string_opt::<i32>())?))
    }
}

impl<S: AsRef<str>> Append<S> for StringBuilder {
    fn append(&mut self, v: Option<S>) {
        self.append_option(v.as_ref().map(AsRef::as_ref));
    }
}

impl ColumnKind for BooleanBuilder {
    type View<'a> = BoolCol<'a>;
    fn data_type() -> DataType {
        DataType::Boolean
    }
    fn finish(&mut self, _rows: usize) -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(BooleanBuilder::finish(self)))
    }
    fn view(a: &ArrayRef) -> Result<BoolCol<'_>, ArrowError> {
        Ok(BoolCol(expect(a, a.as_boolean_opt())?))
    }
}

impl Append<bool> for BooleanBuilder {
    fn append(&mut self, v: Option<bool>) {
        self.append_option(v);
    }
}

/// Primitive builders: Arrow type and view from the arrow-rs primitive type.
macro_rules! primitive_kind {
    ($builder:ty, $t:ty, $native:ty) => {
        impl ColumnKind for $builder {
            type View<'a> = PrimCol<'a, $t>;
            fn data_type() -> DataType {
                <$t as ArrowPrimitiveType>::DATA_TYPE
            }
            fn finish(&mut self, _rows: usize) -> Result<ArrayRef, ArrowError> {
                Ok(Arc::new(<$builder>::finish(self)))
            }
            fn view(a: &ArrayRef) -> Result<PrimCol<'_, $t>, ArrowError> {
                Ok(PrimCol(expect(a, a.as_primitive_opt::<$t>())?))
            }
        }

        impl Append<$native> for $builder {
            fn append(&mut self, v: Option<$native>) {
                self.append_option(v);
            }
        }
    };
}

primitive_kind!(Int32Builder, Int32Type, i32);
primitive_kind!(UInt32Builder, UInt32Type, u32);
primitive_kind!(Float64Builder, Float64Type, f64);

// ---- columns the table builder fills in its own way ----

/// Sign-in times in microseconds, UTC: written when the row is pushed, rewritten for local dates
/// once the file's day/month order is known.
#[derive(Default)]
pub struct Timestamps(pub Vec<i64>);

impl ColumnKind for Timestamps {
    type View<'a> = &'a [i64];
    fn data_type() -> DataType {
        schema::timestamp_type()
    }
    fn finish(&mut self, _rows: usize) -> Result<ArrayRef, ArrowError> {
        Ok(Arc::new(TimestampMicrosecondArray::from(std::mem::take(&mut self.0)).with_timezone("UTC")))
    }
    fn view(a: &ArrayRef) -> Result<&[i64], ArrowError> {
        Ok(expect(a, a.as_primitive_opt::<TimestampMicrosecondType>())?.values())
    }
}

/// Runs of rows from one source file: (first row, file), in row order.
#[derive(Default)]
pub struct FileRuns(pub Vec<(usize, String)>);

impl ColumnKind for FileRuns {
    type View<'a> = DictCol<'a>;
    fn data_type() -> DataType {
        schema::dict()
    }
    fn finish(&mut self, rows: usize) -> Result<ArrayRef, ArrowError> {
        runs(rows, self.0.iter().map(|s| (s.0, s.1.as_str())))
    }
    fn view(a: &ArrayRef) -> Result<DictCol<'_>, ArrowError> {
        DictCol::of(a)
    }
}

/// The format rows are pushed as: `current` from now on, `run` the format of the rows pushed last,
/// and where it changed: rows from `runs[k].0` on were pushed as `runs[k].1`. No change (the common
/// case) is a constant column.
#[derive(Default)]
pub struct FormatRuns {
    pub current: &'static str,
    pub run: &'static str,
    pub runs: Vec<(usize, &'static str)>,
}

impl FormatRuns {
    pub fn new(format: &'static str) -> Self {
        FormatRuns { current: format, run: format, runs: Vec::new() }
    }

    /// Note the format of row `row`, about to be pushed.
    pub fn push(&mut self, row: usize) {
        if self.current != self.run {
            if row > 0 {
                if self.runs.is_empty() {
                    self.runs.push((0, self.run));
                }
                self.runs.push((row, self.current));
            }
            self.run = self.current;
        }
    }
}

impl ColumnKind for FormatRuns {
    type View<'a> = DictCol<'a>;
    fn data_type() -> DataType {
        schema::dict()
    }
    fn finish(&mut self, rows: usize) -> Result<ArrayRef, ArrowError> {
        match self.runs.as_slice() {
            [] => {
                let keys = Int32Array::from(vec![0; rows]);
                let values = Arc::new(StringArray::from(vec![self.run]));
                Ok(match DictionaryArray::<Int32Type>::try_new(keys, values) {
                    Ok(a) => Arc::new(a),
                    Err(_) => Arc::new(DictionaryArray::<Int32Type>::from_iter(std::iter::repeat_n(Some(self.run), rows))),
                })
            }
            runs => format_column(runs, rows),
        }
    }
    fn view(a: &ArrayRef) -> Result<DictCol<'_>, ArrowError> {
        DictCol::of(a)
    }
}

/// A dictionary column of `n` rows from runs of (first row, value), values numbered in order of first use.
fn runs<'s>(n: usize, runs: impl Iterator<Item = (usize, &'s str)>) -> Result<ArrayRef, ArrowError> {
    let mut values: Vec<&str> = Vec::new();
    let mut index: HashMap<&str, i32> = HashMap::new();
    let mut keys: Vec<i32> = Vec::with_capacity(n);
    let mut runs = runs.peekable();
    while let Some((start, v)) = runs.next() {
        let end = runs.peek().map_or(n, |r| r.0).min(n);
        let k = *index.entry(v).or_insert_with(|| {
            values.push(v);
            values.len() as i32 - 1
        });
        keys.resize(keys.len() + end.saturating_sub(start), k);
    }
    Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(Int32Array::from(keys), Arc::new(StringArray::from(values)))?))
}

/// The per-row source format of a batch whose rows came from several formats.
fn format_column(runs: &[(usize, &'static str)], rows: usize) -> Result<ArrayRef, ArrowError> {
    let mut values = runs.iter().map(|r| r.1).collect::<Vec<_>>();
    values.sort_unstable();
    values.dedup();
    let mut keys = Vec::with_capacity(rows);
    for (k, (start, format)) in runs.iter().enumerate() {
        let end = runs.get(k + 1).map_or(rows, |r| r.0);
        let key = values.binary_search(format).unwrap_or(0) as i32;
        keys.extend(std::iter::repeat_n(key, end.saturating_sub(*start)));
    }
    Ok(Arc::new(DictionaryArray::try_new(Int32Array::from(keys), Arc::new(StringArray::from(values)))?))
}

/// Non-null `u64` positions, plus `base` added when finished: a segment of a large input numbers
/// its records from 1 and learns what precedes it only afterwards.
#[derive(Default)]
pub struct Ordinals {
    pub values: Vec<u64>,
    pub base: u64,
}

impl ColumnKind for Ordinals {
    type View<'a> = PrimCol<'a, UInt64Type>;
    fn data_type() -> DataType {
        DataType::UInt64
    }
    fn finish(&mut self, _rows: usize) -> Result<ArrayRef, ArrowError> {
        let base = self.base;
        Ok(Arc::new(UInt64Array::from_iter_values(std::mem::take(&mut self.values).into_iter().map(|v| v + base))))
    }
    fn view(a: &ArrayRef) -> Result<PrimCol<'_, UInt64Type>, ArrowError> {
        Ok(PrimCol(expect(a, a.as_primitive_opt::<UInt64Type>())?))
    }
}

/// Optional `u64` positions (lines, where the format has them), plus `base` as for [`Ordinals`].
#[derive(Default)]
pub struct OptOrdinals {
    pub values: Vec<Option<u64>>,
    pub base: u64,
}

impl ColumnKind for OptOrdinals {
    type View<'a> = PrimCol<'a, UInt64Type>;
    fn data_type() -> DataType {
        DataType::UInt64
    }
    fn finish(&mut self, _rows: usize) -> Result<ArrayRef, ArrowError> {
        let base = self.base;
        Ok(Arc::new(UInt64Array::from_iter(std::mem::take(&mut self.values).into_iter().map(|v| v.map(|v| v + base)))))
    }
    fn view(a: &ArrayRef) -> Result<PrimCol<'_, UInt64Type>, ArrowError> {
        Ok(PrimCol(expect(a, a.as_primitive_opt::<UInt64Type>())?))
    }
}

/// The value with the export's "nothing" renderings removed.
pub(super) fn val<'s>(s: &'s Option<Cow<'_, str>>) -> Option<&'s str> {
    match s.as_deref() {
        Some(v) if !is_empty_value(v) => Some(v.trim()),
        _ => None,
    }
}

fn list_array(
    item: Arc<arrow_schema::Field>,
    offsets: &mut Vec<i32>,
    valid: &mut Vec<bool>,
    values: ArrayRef,
) -> Result<ArrayRef, ArrowError> {
    let offsets = OffsetBuffer::new(std::mem::take(offsets).into());
    let nulls = NullBuffer::from(std::mem::take(valid));
    Ok(Arc::new(ListArray::try_new(item, offsets, values, Some(nulls))?))
}

/// `auth_details`: a list of `authenticationDetails` steps.
pub struct AuthSteps {
    offsets: Vec<i32>,
    valid: Vec<bool>,
    time: Vec<Option<i64>>,
    method: Dict,
    method_detail: Dict,
    succeeded: BooleanBuilder,
    result_detail: Dict,
    requirement: Dict,
}

impl Default for AuthSteps {
    fn default() -> Self {
        AuthSteps {
            offsets: vec![0],
            valid: Vec::new(),
            time: Vec::new(),
            method: Dict::new(),
            method_detail: Dict::new(),
            succeeded: BooleanBuilder::new(),
            result_detail: Dict::new(),
            requirement: Dict::new(),
        }
    }
}

impl AuthSteps {
    /// Append one row's steps; true if it had any.
    pub fn push(&mut self, steps: &[AuthStep<'_>]) -> bool {
        for step in steps {
            self.time.push(step.time);
            self.method.append_option(val(&step.method));
            self.method_detail.append_option(val(&step.method_detail));
            self.succeeded.append_option(step.succeeded);
            self.result_detail.append_option(val(&step.result_detail));
            self.requirement.append_option(val(&step.requirement));
        }
        self.offsets.push(self.time.len() as i32);
        self.valid.push(!steps.is_empty());
        !steps.is_empty()
    }
}

impl ColumnKind for AuthSteps {
    type View<'a> = StepsCol<'a>;
    fn data_type() -> DataType {
        DataType::List(schema::auth_step_item())
    }
    fn finish(&mut self, _rows: usize) -> Result<ArrayRef, ArrowError> {
        let time = TimestampMicrosecondArray::from(std::mem::take(&mut self.time)).with_timezone("UTC");
        let children: Vec<ArrayRef> = vec![
            Arc::new(time),
            Arc::new(self.method.finish()),
            Arc::new(self.method_detail.finish()),
            Arc::new(self.succeeded.finish()),
            Arc::new(self.result_detail.finish()),
            Arc::new(self.requirement.finish()),
        ];
        let values = Arc::new(StructArray::try_new(auth_step_fields(), children, None)?);
        list_array(schema::auth_step_item(), &mut self.offsets, &mut self.valid, values)
    }
    fn view(a: &ArrayRef) -> Result<StepsCol<'_>, ArrowError> {
        let list = expect(a, a.as_list_opt::<i32>())?;
        let steps: &StructArray = expect(a, list.values().as_struct_opt())?;
        let child = |i: usize| expect(a, (i < steps.num_columns()).then(|| steps.column(i)));
        let dict = |i: usize| DictCol::of(child(i)?);
        let succeeded = BoolCol(expect(a, child(3)?.as_boolean_opt())?);
        Ok(StepsCol { list, method: dict(1)?, succeeded, result: dict(4)?, requirement: dict(5)? })
    }
}

/// `ca_policies`: a list of applied Conditional Access policies.
pub struct CaPolicies {
    offsets: Vec<i32>,
    valid: Vec<bool>,
    id: Dict,
    name: Dict,
    result: Dict,
    grant_controls: Dict,
}

impl Default for CaPolicies {
    fn default() -> Self {
        CaPolicies {
            offsets: vec![0],
            valid: Vec::new(),
            id: Dict::new(),
            name: Dict::new(),
            result: Dict::new(),
            grant_controls: Dict::new(),
        }
    }
}

impl CaPolicies {
    /// Append one row's policies; true if it had any.
    pub fn push(&mut self, policies: &[CaPolicy<'_>]) -> bool {
        for p in policies {
            self.id.append_option(val(&p.id));
            self.name.append_option(val(&p.name));
            self.result.append_option(val(&p.result));
            self.grant_controls.append_option(val(&p.grant_controls));
        }
        self.offsets.push(self.offsets.last().copied().unwrap_or(0) + policies.len() as i32);
        self.valid.push(!policies.is_empty());
        !policies.is_empty()
    }
}

impl ColumnKind for CaPolicies {
    type View<'a> = ListCol<'a>;
    fn data_type() -> DataType {
        DataType::List(schema::ca_policy_item())
    }
    fn finish(&mut self, _rows: usize) -> Result<ArrayRef, ArrowError> {
        let children: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.name.finish()),
            Arc::new(self.result.finish()),
            Arc::new(self.grant_controls.finish()),
        ];
        let values = Arc::new(StructArray::try_new(ca_policy_fields(), children, None)?);
        list_array(schema::ca_policy_item(), &mut self.offsets, &mut self.valid, values)
    }
    fn view(a: &ArrayRef) -> Result<ListCol<'_>, ArrowError> {
        Ok(ListCol(expect(a, a.as_list_opt::<i32>())?))
    }
}

/// A list of dictionary strings (`risk_event_types`); empty renderings are dropped.
pub struct StringList {
    offsets: Vec<i32>,
    valid: Vec<bool>,
    values: Dict,
}

impl Default for StringList {
    fn default() -> Self {
        StringList { offsets: vec![0], valid: Vec::new(), values: Dict::new() }
    }
}

impl StringList {
    /// Append one row's strings; true if any was kept.
    pub fn push(&mut self, items: &[Cow<'_, str>]) -> bool {
        let mut n = 0;
        for t in items {
            if !is_empty_value(t) {
                self.values.append_value(t.trim());
                n += 1;
            }
        }
        self.offsets.push(self.offsets.last().copied().unwrap_or(0) + n);
        self.valid.push(n > 0);
        n > 0
    }
}

impl ColumnKind for StringList {
    type View<'a> = StringsCol<'a>;
    fn data_type() -> DataType {
        DataType::List(schema::string_item())
    }
    fn finish(&mut self, _rows: usize) -> Result<ArrayRef, ArrowError> {
        let values = Arc::new(self.values.finish());
        list_array(schema::string_item(), &mut self.offsets, &mut self.valid, values)
    }
    fn view(a: &ArrayRef) -> Result<StringsCol<'_>, ArrowError> {
        let list = expect(a, a.as_list_opt::<i32>())?;
        Ok(StringsCol { list, values: DictCol::of(list.values())? })
    }
}
